import Foundation
import Messages
import Store
import Synchronization

/// What the registry's agent documents say (host, capacity and addresses), decoded once per document.
///
/// Every spec reads every candidate agent's stored JSON; decoding it each time was a third of the
/// scheduler's CPU at 300 agents (docs/performance.md). A document changes only when its agent's
/// heartbeat reports something new, so the decoded form is kept while the text is the same.
final class AgentDescriptions: Sendable {
    struct Description: Sendable {
        var hostID: ObjectID
        var capacity: Resources
        /// Where other hosts reach it (a porter's underlay address).
        var addresses: [String]
        /// Where other volumers fetch its volumes (a volumer's announced `url`).
        var exportURL: String?
    }

    private let cache = Mutex<[UUID: (document: String, description: Description)]>([:])

    /// The host and capacity `node` describes; nil when it is not an agent with a host.
    func description(of node: GraphNode) -> Description? {
        if let cached = cache.withLock({ $0[node.id] }), cached.document == node.object {
            return cached.description
        }
        guard let object = try? MessageCodec.decode(Object.self, from: node.object, format: .json),
              let hostID = object.hostID
        else { return nil }
        let description = Description(hostID: hostID, capacity: Resources(capacity: object.capacity),
                                      addresses: object.ipAddresses ?? [], exportURL: object.url)
        cache.withLock { $0[node.id] = (node.object, description) }
        return description
    }
}
