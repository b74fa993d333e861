import Clients
import Logging
import Messages
import ServiceSupport

extension AgentRuntime {
    /// Compares what this agent was asked to hold (its held-object records) with what the driver
    /// finds on the host, and reports each difference: a held object missing or changed goes to
    /// the conductor as a `WARNING` Notify of its spec (it decides nothing, so no state flips
    /// behind an operator's back); an object on the host that the agent does not hold is logged.
    /// Nothing is repaired here: re-applying the spec repairs it, through the normal path.
    ///
    /// The one exception is what a host's restart undoes by itself, as the driver says
    /// (``AgentDriver/restoresAtStart(held:found:)``: a VM whose desired state is `running`,
    /// found shut off). That is brought back to what was applied, and the conductor gets the
    /// result: a success of the attempt held (so the graph has the new fields, such as the VM's
    /// VNC address), or a `WARNING` saying why it could not be brought back.
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
        let differences = Reconciliation.compare(held: records, found: found, restores: { held, found in
            driver.restoresAtStart(held: held, found: found)
        }, differences: { held, found in
            driver.differences(held: held, found: found)
        })
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
            case .toRestore(let record, let found, let details):
                await restore(record, found: found, details: details)
            case .unexpected(let object):
                logger.warning("found a resource on this host that this agent does not hold; remove it by hand if nothing uses it", metadata: [
                        "object_type": "\(object.type?.rawValue ?? "-")", "object_id": "\(object.id?.description ?? "-")",
                        "url": "\(object.url ?? "-")",
                    ])
            }
        }
    }

    /// Brings back one held object the host's restart undid; a failure is reported, never retried
    /// here (re-applying the spec tries again).
    private func restore(_ record: HeldObject, found: Object, details: [String]) async {
        let noun = Self.noun(record.object)
        let was = found.desiredState ?? "changed"
        let wanted = record.object.desiredState ?? "its desired state"
        let outcome: ApplyOutcome
        do {
            outcome = try await driverMetrics.measure(.restore, of: record.object.type) { [driver, configuration] in
                try await withDeadline(configuration.applyTimeout) { try await driver.restoreAtStart(record.object) }
            }
        } catch {
            await warn(record, "\(noun) on host \(identity.hostID) was found \(was) at agent start (\(details.joined(separator: "; "))) "
                + "and could not be brought back to \(wanted) as applied for spec \(record.specID): \(Self.reason(error)). "
                + "Fix the cause and apply the spec again, or delete it from the spec")
            return
        }
        logger.notice("brought back what the host's restart undid", metadata: [
            "spec_id": "\(record.specID)", "object_id": "\(record.object.id?.description ?? "-")",
            "found": "\(was)", "desired_state": "\(wanted)",
        ])
        do {
            try held.hold(outcome.object, specID: record.specID, attempt: record.attempt)
        } catch {
            logger.warning("cannot record the restored object", metadata: ["error": "\(error)"])
        }
        let message = outcome.message ?? "Restored at agent start: \(noun) was found \(was) on host \(identity.hostID) and is \(wanted) again"
        let notify = composer.success(specID: record.specID, object: outcome.object, message: message, waitedFor: [],
                                      attempt: record.attempt)
        do {
            try await publisher.publish(ConductorClient.notify(notify, trace: nil), timeout: Self.publishTimeout)
        } catch {
            logger.warning("cannot report a restored object to the conductor", metadata: ["error": "\(error)"])
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
