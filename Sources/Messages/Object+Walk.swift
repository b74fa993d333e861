/// Traversal of an object and everything embedded in its dependencies.
///
/// Every stage needs it: the API to assign ids and resolve variables, the scheduler to flatten,
/// agents to find the objects they wait for, logs to redact.
extension Object {
    /// This object, then each dependency's object depth-first, in document order.
    public var allObjects: [Object] {
        var result: [Object] = []
        walk { object, _ in result.append(object) }
        return result
    }

    /// Visits this object and, depth-first, every embedded object with its path relative to
    /// `path`, in the form ``FieldProblem/path`` uses (`spec.web.dependencies[1].object`), so a
    /// later check can report where it found a problem.
    public func walk(path: String = "", _ visit: (_ object: Object, _ path: String) throws -> Void) rethrows {
        try visit(self, path)
        for (index, dependency) in (dependencies ?? []).enumerated() {
            let prefix = path.isEmpty ? "" : path + "."
            try dependency.object.walk(path: "\(prefix)dependencies[\(index)].object", visit)
        }
    }

    /// A copy with `transform` applied to every object, dependencies first (so `transform` sees
    /// its object's dependencies already transformed, and replacing an object by one that has
    /// dependencies of its own cannot loop).
    public func mapObjects(_ transform: (Object) throws -> Object) rethrows -> Object {
        var copy = self
        if let dependencies {
            copy.dependencies = try dependencies.map { dependency in
                var dependency = dependency
                dependency.object = try dependency.object.mapObjects(transform)
                return dependency
            }
        }
        return try transform(copy)
    }

    /// The dependencies with relation label `relation`.
    public func dependencies(relation: String) -> [Dependency] {
        (dependencies ?? []).filter { $0.property.relation == relation }
    }

    /// The agent this object was scheduled on, if a scheduler has placed it.
    public var scheduledAgent: Object? {
        dependencies(relation: Relation.scheduled).first?.object
    }
}
