import Foundation
import Messages

/// One object of a plan or a diff: what happens to it, which of its fields change, and (in a
/// plan) where the scheduler would place it.
struct ObjectChange: Encodable, Sendable {
    var name: String
    /// Nil (absent) for an object a plan would create: its id is given when the version is stored.
    var id: ObjectID?
    var type: String
    var action: ObjectAction
    /// Top-level keys whose value differs (a changed dependency shows as `dependencies`).
    var changedFields: [String] = []
    var placement: PlacedOn?
    /// Every agent it would be on, when more than one (a network spans several porters).
    var placements: [PlacedOn]?
    var placementError: String?

    struct PlacedOn: Encodable, Sendable, Hashable {
        var agentID: ObjectID
        var hostID: ObjectID

        enum CodingKeys: String, CodingKey {
            case agentID = "agent_id"
            case hostID = "host_id"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, id, type, action, placement, placements
        case changedFields = "changed_fields"
        case placementError = "placement_error"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encode(type, forKey: .type)
        try container.encode(action, forKey: .action)
        try container.encode(changedFields, forKey: .changedFields)
        try container.encode(placement, forKey: .placement)
        try container.encodeIfPresent(placements, forKey: .placements)
        try container.encodeIfPresent(placementError, forKey: .placementError)
    }
}
