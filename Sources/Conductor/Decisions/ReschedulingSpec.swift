import Messages

/// The `Spec` the conductor sends the scheduler to place failed objects again (the contract's
/// "Rescheduling"): only those objects, whole, with their dependencies by id, under the original
/// spec's annotations plus `rescheduling: with_error` and the agents to avoid.
enum ReschedulingSpec {
    /// Annotation naming, comma-separated, every agent the objects failed on so far.
    static let avoidAgentsKey = "n0stack/n0core/scheduler/avoid_agents"
    /// Value of ``Annotations/rescheduling`` on a spec sent back after failures.
    static let withError = "with_error"

    static func make(
        specID: Int64, version: Int, annotations: Annotations?, objects: [Object], avoid: [ObjectID]
    ) -> SpecMessage {
        var annotations = annotations ?? Annotations()
        annotations[Annotations.rescheduling] = .string(withError)
        annotations[avoidAgentsKey] = avoid.isEmpty ? nil : .string(avoid.map(\.description).joined(separator: ","))
        return SpecMessage(id: specID, version: version, annotations: annotations, spec: objects.map(placeable))
    }

    /// `object` as the scheduler takes it: no placement of its own (the scheduler decides that
    /// again), dependencies naming their objects by id only.
    static func placeable(_ object: Object) -> Object {
        var object = object
        object.dependencies = object.dependencies.map { dependencies in
            dependencies.compactMap { dependency -> Dependency? in
                guard dependency.property.relation != Relation.scheduled, let id = dependency.object.id else { return nil }
                return Dependency(object: .reference(id), property: dependency.property)
            }
        }
        return object
    }
}
