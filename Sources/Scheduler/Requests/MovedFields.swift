import Messages

/// What a request to an agent may not take from the graph when objects moved: the fields an
/// agent set on the host they left.
struct MovedFields {
    /// Where objects were before this placement, and where they are now.
    var current: [ObjectID: [ObjectID]]
    var placements: [ObjectID: [ObjectID]]
    /// Each agent's host.
    var hosts: [ObjectID: ObjectID]

    /// `request` with, in the objects it embeds, a moved volume's `url` and the `bridge` of a
    /// network not yet on the receiving agent's host left out: they name files and bridges of
    /// another host, and without them the agent waits for the new ones' `Notify` instead of
    /// using the old ones.
    func clearing(_ request: RequestMessage, to agentID: ObjectID) -> RequestMessage {
        var request = request
        let host = hosts[agentID]
        request.object.dependencies = request.object.dependencies.map { dependencies in
            dependencies.map { dependency in
                var dependency = dependency
                dependency.object = dependency.object.mapObjects { object in
                    guard let id = object.id else { return object }
                    var object = object
                    if object.type == .volumeFile, Set(placements[id] ?? []) != Set(current[id] ?? []) {
                        object.url = nil
                    }
                    if object.type == .networkVLAN, let host,
                       !(current[id] ?? []).contains(where: { hosts[$0] == host }) {
                        object.bridge = nil
                    }
                    return object
                }
                return dependency
            }
        }
        return request
    }
}
