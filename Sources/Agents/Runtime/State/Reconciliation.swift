import Messages

/// Start-up comparison of what an agent was asked to hold with what its driver finds on the
/// host (a volume file deleted by hand, a VM that vanished with a reboot, a leftover from
/// before). Pure; the runtime reports the differences, and restores the few its driver says a
/// host's restart undoes (``AgentDriver/restoresAtStart(held:found:)``).
enum Reconciliation {
    enum Difference: Sendable, Hashable {
        /// Held, but not on the host.
        case missing(HeldObject)
        /// On the host, but not held (left over, or made by hand).
        case unexpected(Object)
        /// On both, but not the same; `details` says how.
        case changed(HeldObject, found: Object, details: [String])
        /// On both, not the same, and to be brought back by the agent (a VM that should run,
        /// found shut off after the host restarted); `details` says how it differs.
        case toRestore(HeldObject, found: Object, details: [String])
    }

    static func compare(
        held: [HeldObject],
        found: [Object],
        restores: (_ held: Object, _ found: Object) -> Bool = { _, _ in false },
        differences: (_ held: Object, _ found: Object) -> [String]
    ) -> [Difference] {
        var foundByID: [ObjectID: Object] = [:]
        for object in found {
            if let id = object.id { foundByID[id] = object }
        }
        var result: [Difference] = []
        var heldIDs: Set<ObjectID> = []
        for record in held {
            guard let id = record.object.id else { continue }
            heldIDs.insert(id)
            guard let object = foundByID[id] else {
                result.append(.missing(record))
                continue
            }
            let details = differences(record.object, object)
            if restores(record.object, object) {
                result.append(.toRestore(record, found: object, details: details))
            } else if !details.isEmpty {
                result.append(.changed(record, found: object, details: details))
            }
        }
        for object in found where object.id.map({ !heldIDs.contains($0) }) ?? true {
            result.append(.unexpected(object))
        }
        return result
    }
}
