import Messages

extension Object {
    /// The ids of every object embedded in this one's dependencies (not this object's own id,
    /// nor agents): the objects whose `Notify` can make it ready.
    var embeddedIDs: Set<ObjectID> {
        var ids: Set<ObjectID> = []
        for dependency in dependencies ?? [] {
            dependency.object.walk { object, _ in
                if let id = object.id, object.type?.isAgent != true { ids.insert(id) }
            }
        }
        return ids
    }

    /// A copy in which every embedded object (not this one) that has a report in `reported` is
    /// replaced by the reported object, as its agent now holds it (with `url`, `bridge` …).
    ///
    /// A whole object is replaced rather than fields merged: the reporting agent knows best, and
    /// its object carries its own resolved dependencies (a NIC's network with its bridge).
    func replacingEmbedded(with reported: [ObjectID: Object]) -> Object {
        guard !reported.isEmpty, let dependencies else { return self }
        var copy = self
        copy.dependencies = dependencies.map { dependency in
            var dependency = dependency
            dependency.object = dependency.object.mapObjects { object in
                guard let id = object.id, object.type?.isAgent != true, let report = reported[id] else { return object }
                return report
            }
            return dependency
        }
        return copy
    }
}
