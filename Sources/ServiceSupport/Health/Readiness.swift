import Synchronization

/// What a daemon depends on (broker, database, libvirt), each with a check that says whether it
/// is reachable now. `/readyz` answers 200 only when every check passes, so an orchestrator or a
/// load balancer sends no work to a replica that has lost its broker or its database.
public final class Readiness: Sendable {
    public typealias Check = @Sendable () async -> Bool

    private let checks = Mutex<[(name: String, check: Check)]>([])

    public init() {}

    /// Adds a named dependency.
    public func add(_ name: String, _ check: @escaping Check) {
        checks.withLock { $0.append((name, check)) }
    }

    /// Every dependency's state, by name.
    public func report() async -> [String: Bool] {
        let current = checks.withLock { $0 }
        var result: [String: Bool] = [:]
        for entry in current {
            result[entry.name] = await entry.check()
        }
        return result
    }

    /// True when every dependency is reachable.
    public func isReady() async -> Bool {
        await report().values.allSatisfy { $0 }
    }
}
