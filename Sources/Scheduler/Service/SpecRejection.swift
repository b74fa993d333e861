import Messages

/// A `Spec` message the scheduler cannot act on at all (not a placement failure, which is
/// recorded for the user to see): it goes to the dead-letter queue with this reason and
/// changes nothing.
struct SpecRejection: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// What every message must hold: objects with an id and a type, each once, dependencies
    /// naming objects by id (the API's flattened form).
    static func check(_ message: SpecMessage) throws(SpecRejection) {
        var seen = Set<ObjectID>()
        for (index, object) in message.spec.enumerated() {
            guard let id = object.id else { throw SpecRejection("spec[\(index)] has no id") }
            guard object.type != nil else { throw SpecRejection("spec[\(index)] (\(id)) has no type") }
            guard seen.insert(id).inserted else { throw SpecRejection("spec[\(index)]: object \(id) is listed twice") }
            for (position, dependency) in (object.dependencies ?? []).enumerated() where dependency.object.id == nil {
                throw SpecRejection("spec[\(index)].dependencies[\(position)] names no object id")
            }
        }
    }
}

/// Placement saw agents or claims that changed before it could lock them; the transaction is
/// run again on a fresh snapshot.
struct StaleSnapshot: Error, CustomStringConvertible {
    let problems: [String]
    var description: String { "capacity changed while placing: " + problems.joined(separator: "; ") }
}
