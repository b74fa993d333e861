import Messages
import Scheduler

/// The answer to `?dry_run=true`: what the version would do to each object and where the
/// scheduler would place what it sends; nothing stored or published.
struct SpecPlan: Encodable, Sendable {
    /// Nil (absent) for a `POST`: the spec has no id yet.
    var specID: Int64?
    /// The version the request would store.
    var version: Int
    /// `placed`, `waiting` (no room now: the version would wait), `impossible` (it would fail),
    /// or `nothing to place` (the version changes no object).
    var placement: String
    /// Why it would wait or fail.
    var reason: String?
    var objects: [ObjectChange]

    enum CodingKeys: String, CodingKey {
        case specID = "spec_id"
        case version, placement, reason, objects
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(specID, forKey: .specID)
        try container.encode(version, forKey: .version)
        try container.encode(placement, forKey: .placement)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(objects, forKey: .objects)
    }
}

extension SpecPlan {
    /// Where each object would go, or why it would wait or fail.
    mutating func show(_ outcome: PlacementPreviewer.Outcome) {
        for index in objects.indices {
            guard let id = objects[index].id else { continue }
            switch outcome {
            case .placed(let placements):
                let on = (placements[id] ?? []).map { ObjectChange.PlacedOn(agentID: $0.id, hostID: $0.hostID) }
                objects[index].placement = on.first
                objects[index].placements = on.count > 1 ? on : nil
            case .waiting(let failure):
                objects[index].placementError = failure.reasons[id].map { "waiting for room: \($0)" }
            case .impossible(let failure):
                objects[index].placementError = failure.reasons[id]
            }
        }
        switch outcome {
        case .placed: placement = "placed"
        case .waiting(let failure): (placement, reason) = ("waiting", failure.summary)
        case .impossible(let failure): (placement, reason) = ("impossible", failure.summary)
        }
    }
}

/// The answer to `GET /api/spec/{id}/diff?from=V&to=W`.
struct SpecDiff: Encodable, Sendable {
    var specID: Int64
    var from: Int
    var to: Int
    var objects: [ObjectChange]

    enum CodingKeys: String, CodingKey {
        case specID = "spec_id"
        case from, to, objects
    }
}
