extension Object {
    /// The object as the scheduler takes it to place again (a reschedule, a drain's move): no
    /// placement of its own (that is decided again), dependencies naming their objects by id only.
    public var placeable: Object {
        var object = self
        object.dependencies = dependencies.map { dependencies in
            dependencies.compactMap { dependency -> Dependency? in
                guard dependency.property.relation != Relation.scheduled, let id = dependency.object.id else { return nil }
                return Dependency(object: .reference(id), property: dependency.property)
            }
        }
        return object
    }
}
