import Logging
import PostgresNIO

/// How many agents the scheduler can place on: agents whose state is `alived` and whose last
/// heartbeat reached the graph recently (the scheduler's own test, with its default 30 s).
public enum AgentCensus {
    public static func alive(client: PostgresClient, logger: Logger) async throws -> Int {
        let rows = try await client.query("""
            SELECT count(*) FROM nodes
            WHERE type LIKE 'agent/%' AND desired_state = 'alived' AND updated_at > now() - interval '30 seconds'
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    /// Waits until at least `count` agents are alive; returns how many are.
    public static func waitFor(_ count: Int, timeout: Duration, client: PostgresClient, logger: Logger) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var alive = 0
        while true {
            alive = (try? await Self.alive(client: client, logger: logger)) ?? alive
            if alive >= count { return alive }
            guard ContinuousClock.now < deadline else {
                throw BenchError("only \(alive) of \(count) agents are alive after \(timeout.components.seconds) s; "
                    + "are the (simulated) hypervisors running on the same broker and database?")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
