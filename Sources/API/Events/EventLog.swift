import Foundation
import Store

/// The answer to `GET /api/spec/{id}/events`: a page of the spec's event log and the state of its
/// latest version. `next`, when present, is the `after` of the following page.
struct EventLog: Encodable, Sendable {
    var specID: Int64
    var state: String
    var events: [Item]
    var next: Int64?

    enum CodingKeys: String, CodingKey {
        case specID = "spec_id"
        case state, events, next
    }

    /// One recorded event, as the list and the stream (`data:` of `event: event`) show it.
    struct Item: Encodable, Sendable {
        var id: Int64
        var specID: Int64
        var version: Int
        var objectID: UUID?
        /// The object's name in the spec, when the object is still known.
        var objectName: String?
        var kind: String
        var message: String
        var createdAt: String?

        init(_ event: Event, names: [UUID: String]) {
            id = event.id ?? 0
            specID = event.specID
            version = event.version
            objectID = event.objectID
            // An unnamed object (a NIC, often) has no name to show, not an empty one.
            objectName = event.objectID.flatMap { names[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            kind = event.kind.rawValue
            message = event.message
            createdAt = event.createdAt.map(SpecStatus.timestamp)
        }

        enum CodingKeys: String, CodingKey {
            case id, version, kind, message
            case specID = "spec_id"
            case objectID = "object_id"
            case objectName = "object_name"
            case createdAt = "created_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(specID, forKey: .specID)
            try container.encode(version, forKey: .version)
            try container.encodeIfPresent(objectID?.uuidString.lowercased(), forKey: .objectID)
            try container.encodeIfPresent(objectName, forKey: .objectName)
            try container.encode(kind, forKey: .kind)
            try container.encode(message, forKey: .message)
            try container.encodeIfPresent(createdAt, forKey: .createdAt)
        }
    }

    /// The last message of a stream: the latest version settled.
    struct Settled: Encodable, Sendable {
        var specID: Int64
        var version: Int
        var state: String
        var reason: String?

        enum CodingKeys: String, CodingKey {
            case specID = "spec_id"
            case version, state, reason
        }
    }
}
