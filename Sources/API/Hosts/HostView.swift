import Foundation
import Messages
import Store

/// One host in `GET /api/hosts` and at the head of `GET /api/hosts/{id}`.
struct HostView: Encodable {
    struct Drain: Encodable {
        var reason: String
        var since: String
    }

    var hostID: ObjectID
    var agents: Int
    var aliveAgents: Int
    var objects: Int
    /// Present while the host is draining.
    var drain: Drain?

    init(_ listing: HostListing) {
        hostID = ObjectID(listing.hostID)
        agents = listing.agents
        aliveAgents = listing.aliveAgents
        objects = listing.objects
        drain = listing.drain.map { Drain(reason: $0.reason, since: SpecStatus.timestamp($0.since)) }
    }

    enum CodingKeys: String, CodingKey {
        case agents, objects, drain
        case hostID = "host_id"
        case aliveAgents = "alive_agents"
    }
}

/// The answer to `GET /api/hosts`.
struct HostList: Encodable {
    var hosts: [HostView]
}

/// The answer to `GET /api/hosts/{id}` and to draining or undraining it: the host and the
/// objects placed on its agents. While it drains they are `pinned`: still on it, while their spec
/// moves them elsewhere or, when it cannot, for good (a `PINNED` event says why).
struct HostDetail: Encodable {
    struct Placed: Encodable {
        var id: ObjectID
        var specID: Int64?
        var name: String
        var type: String
        var agentID: ObjectID
        var pinned: Bool

        init(_ placed: PlacedObject, pinned: Bool) {
            id = ObjectID(placed.node.id)
            specID = placed.node.specID
            name = placed.node.name
            type = placed.node.type
            agentID = ObjectID(placed.agentID)
            self.pinned = pinned
        }

        enum CodingKeys: String, CodingKey {
            case id, name, type, pinned
            case specID = "spec_id"
            case agentID = "agent_id"
        }
    }

    var host: HostView
    var objects: [Placed]
}
