import Clients
import Logging
import Messages

extension AgentRuntime {
    /// Compares what this agent was asked to hold (its held-object records) with what the driver
    /// finds on the host, and reports each difference: a held object missing or changed goes to
    /// the conductor as a `WARNING` Notify of its spec (it decides nothing, so no state flips
    /// behind an operator's back); an object on the host that the agent does not hold is logged.
    /// Nothing is repaired here: re-applying the spec repairs it, through the normal path.
    func reconcile() async {
        let records = held.all(logger: logger)
        let found: [Object]
        do {
            found = try await driver.inventory()
        } catch {
            logger.error("cannot list the resources on this host; start-up reconciliation skipped",
                         metadata: ["error": "\(Self.reason(error))"])
            return
        }
        let differences = Reconciliation.compare(held: records, found: found) { held, found in
            driver.differences(held: held, found: found)
        }
        logger.info("start-up reconciliation", metadata: [
            "held": "\(records.count)", "found": "\(found.count)", "differences": "\(differences.count)",
        ])
        for difference in differences {
            switch difference {
            case .missing(let record):
                await warn(record, "\(Self.noun(record.object)) is missing on host \(identity.hostID): it was applied "
                    + "for spec \(record.specID) and has disappeared since. Apply the spec again to recreate it, "
                    + "or delete it from the spec")
            case .changed(let record, _, let details):
                await warn(record, "\(Self.noun(record.object)) on host \(identity.hostID) differs from what was "
                    + "applied for spec \(record.specID): \(details.joined(separator: "; ")). Apply the spec again, "
                    + "or find out who changed it")
            case .unexpected(let object):
                logger.warning("found a resource on this host that this agent does not hold; remove it by hand if nothing uses it", metadata: [
                        "object_type": "\(object.type?.rawValue ?? "-")", "object_id": "\(object.id?.description ?? "-")",
                        "url": "\(object.url ?? "-")",
                    ])
            }
        }
    }

    private func warn(_ record: HeldObject, _ message: String) async {
        logger.warning("\(message)", metadata: ["spec_id": "\(record.specID)",
                                                "object_id": "\(record.object.id?.description ?? "-")"])
        let notify = composer.warning(specID: record.specID, object: record.object,
                                      message: "Reconciliation at agent start: \(message).")
        do {
            try await publisher.publish(ConductorClient.notify(notify, trace: nil), timeout: Self.publishTimeout)
        } catch {
            logger.warning("cannot report a reconciliation difference to the conductor", metadata: ["error": "\(error)"])
        }
    }

    static func noun(_ object: Object) -> String {
        "\(object.type?.resourceNoun ?? "resource") resource(\(object.id?.description ?? "?"))"
    }
}
