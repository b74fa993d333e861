import Foundation
import Hummingbird
import Messages
import Store

/// `GET /api/agents`: every agent node with its liveness, last heartbeat, capacity and what its
/// objects claim, a page at a time in id order.
struct AgentController<Context: RequestContext> {
    let store: Store
    let database: DatabaseGuard

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("agents", use: list)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try request.uri.queryParameters.requireOnly(["limit", "cursor"])
        let page = try PageRequest(request.uri.queryParameters, kind: .agent)
        let agents = try await database.run { [store] in try await store.agentListings(after: page.uuid, limit: page.limit) }
        let next = page.next(count: agents.count, lastID: agents.last?.node.id)
        return Negotiation(request).respond(AgentList(agents: agents.map(AgentList.Item.init), next: next))
    }
}

/// The answer to `GET /api/agents`.
struct AgentList: Encodable {
    struct Item: Encodable {
        struct Claimed: Encodable {
            var vcpus: Int
            var memoryBytes: Int64
            var diskBytes: Int64
            var claims: Int

            enum CodingKeys: String, CodingKey {
                case vcpus, claims
                case memoryBytes = "memory_bytes"
                case diskBytes = "disk_bytes"
            }
        }

        var id: ObjectID
        var type: String
        var name: String
        var hostID: ObjectID?
        /// `alived` or `dead`, as the conductor last recorded it.
        var liveness: String?
        var lastHeartbeat: String?
        var capacity: Capacity?
        var claimed: Claimed

        init(_ listing: AgentListing) {
            let object = try? MessageCodec.decode(Object.self, from: listing.node.object, format: .json)
            id = ObjectID(listing.node.id)
            type = listing.node.type
            name = listing.node.name
            hostID = object?.hostID
            liveness = listing.node.desiredState
            lastHeartbeat = listing.lastHeartbeat.map(SpecStatus.timestamp)
            capacity = object?.capacity
            claimed = Claimed(vcpus: listing.claimed.vcpus, memoryBytes: listing.claimed.memoryBytes,
                              diskBytes: listing.claimed.diskBytes, claims: listing.claimed.count)
        }

        enum CodingKeys: String, CodingKey {
            case id, type, name, liveness, capacity, claimed
            case hostID = "host_id"
            case lastHeartbeat = "last_heartbeat"
        }
    }

    var agents: [Item]
    var next: String?
}
