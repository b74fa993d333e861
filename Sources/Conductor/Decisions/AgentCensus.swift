import Messages
import Store

/// The registry's agents by type: how many are alive and how many dead. Every agent type is
/// present in both, zero when there is none, so a gauge of a type whose last agent died falls
/// to zero instead of keeping its last value.
struct AgentCensus: Sendable, Equatable {
    var alive: [ObjectType: Int] = [:]
    var dead: [ObjectType: Int] = [:]

    static let agentTypes = ObjectType.allCases.filter(\.isAgent)

    init(_ counts: [AgentCount]) {
        for type in Self.agentTypes {
            alive[type] = 0
            dead[type] = 0
        }
        for count in counts {
            guard let type = ObjectType(rawValue: count.type), type.isAgent else { continue }
            if count.state == AgentRecord.alived {
                alive[type, default: 0] += count.count
            } else {
                dead[type, default: 0] += count.count
            }
        }
    }
}
