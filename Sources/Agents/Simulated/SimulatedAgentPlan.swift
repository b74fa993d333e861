import AgentRuntime
import Messages

/// One simulated agent: which host it pretends to be on, its kind, its id and its state
/// directory. Ids are derived from the host's index, so runs are repeatable and an id in a log
/// says which simulated host it is:
///
/// - host `index`: `5147b057-0000-4000-8000-<index as 12 hex digits>`
/// - its agents: `5147a9e0-000K-4000-8000-<index>`, K = 1 compute-kvm, 2 volumer-file,
///   3 porter-vlan.
public struct SimulatedAgentPlan: Sendable, Hashable {
    public var hostIndex: Int
    public var agentType: ObjectType
    public var agentID: ObjectID
    public var hostID: ObjectID
    public var stateDirectory: String

    /// The three kinds every simulated host runs, in the order of their id digit K.
    public static let kinds: [ObjectType] = [.agentComputeKVM, .agentVolumerFile, .agentPorterVLAN]

    /// Agents of hosts `firstHost ..< firstHost + hosts`, three per host, state under `stateRoot`.
    public static func fleet(hosts: Int, firstHost: Int = 0, stateRoot: String) -> [SimulatedAgentPlan] {
        let root = stateRoot.hasSuffix("/") ? String(stateRoot.dropLast()) : stateRoot
        return (firstHost..<(firstHost + max(0, hosts))).flatMap { index in
            kinds.map { kind in
                SimulatedAgentPlan(
                    hostIndex: index, agentType: kind, agentID: agentID(host: index, kind: kind),
                    hostID: hostID(index), stateDirectory: "\(root)/host-\(index)/\(kind.agentKind)")
            }
        }
    }

    public static func hostID(_ index: Int) -> ObjectID {
        ObjectID("5147b057-0000-4000-8000-\(hex12(index))")!
    }

    public static func agentID(host index: Int, kind: ObjectType) -> ObjectID {
        let digit = (kinds.firstIndex(of: kind) ?? 0) + 1
        return ObjectID("5147a9e0-000\(digit)-4000-8000-\(hex12(index))")!
    }

    static func hex12(_ index: Int) -> String {
        let text = String(UInt64(index) & 0xFFFF_FFFF_FFFF, radix: 16)
        return String(repeating: "0", count: 12 - text.count) + text
    }
}
