import Messages

/// The `Spec` the conductor sends the scheduler to place failed objects again (the contract's
/// "Rescheduling"): only those objects, whole, with their dependencies by id, under the original
/// spec's annotations plus `rescheduling: with_error` and the agents to avoid.
enum ReschedulingSpec {
    /// Value of ``Annotations/rescheduling`` on a spec sent back after failures.
    static let withError = "with_error"

    static func make(
        specID: Int64, version: Int, annotations: Annotations?, objects: [Object], avoid: [ObjectID]
    ) -> SpecMessage {
        var annotations = annotations ?? Annotations()
        annotations[Annotations.rescheduling] = .string(withError)
        annotations[Annotations.avoidAgents] = avoid.isEmpty ? nil : .string(avoid.map(\.description).joined(separator: ","))
        return SpecMessage(id: specID, version: version, annotations: annotations, spec: objects.map(\.placeable))
    }
}
