import Broker
import Foundation
import Logging
import PostgresNIO
import ServiceSupport
import Store
import Testing

/// The real services integration tests run against, from the variables `deploy/dev-env.sh`
/// writes: `N0CORE_AMQP_URL` (RabbitMQ) and `N0CORE_DATABASE_URL` (PostgreSQL).
///
/// Without them a suite is skipped with a loud reason on a developer's machine; under `CI=true`
/// it runs and fails, so a CI that forgot to start a service cannot pass by testing nothing.
/// Use `.enabled(if: IntegrationEnvironment.hasBroker)` (or `hasDatabase`, `hasBrokerAndDatabase`)
/// on a suite, then `try IntegrationEnvironment.requireBroker()` inside each test.
public enum IntegrationEnvironment {
    public static let amqpVariable = "N0CORE_AMQP_URL"
    public static let databaseVariable = "N0CORE_DATABASE_URL"

    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    public static let hasBroker: Bool = enabled(needing: [amqpVariable])
    public static let hasDatabase: Bool = enabled(needing: [databaseVariable])
    public static let hasBrokerAndDatabase: Bool = enabled(needing: [amqpVariable, databaseVariable])

    private static func enabled(needing variables: [String]) -> Bool {
        let missing = variables.filter { value($0) == nil }
        if missing.isEmpty || isCI { return true }
        print("""

            ************************************************************************************
            * SKIPPING integration tests: \(missing.joined(separator: " and ")) not set.
            * Start the dev environment and load it:  bash deploy/dev-env.sh && source /var/lib/n0core-dev/env
            * (With CI=true these tests fail instead of being skipped.)
            ************************************************************************************

            """)
        return false
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The broker URL; throws (failing the test) when it is not set.
    public static func requireBroker() throws -> AMQPURL {
        guard let text = value(amqpVariable) else {
            throw Missing(description: "\(amqpVariable) is not set: this test needs RabbitMQ (see deploy/dev-env.sh)")
        }
        return try AMQPURL(parsing: text)
    }

    /// The database URL; throws (failing the test) when it is not set.
    public static func requireDatabase() throws -> DatabaseURL {
        guard let text = value(databaseVariable) else {
            throw Missing(description: "\(databaseVariable) is not set: this test needs PostgreSQL (see deploy/dev-env.sh)")
        }
        return try DatabaseURL(text)
    }

    /// A broker configuration for one test client; a short backoff keeps reconnect tests quick.
    public static func brokerConfiguration(appID: String = "n0core-test", prefetch: UInt16 = 32) throws -> BrokerConfiguration {
        brokerConfiguration(url: try requireBroker(), appID: appID, prefetch: prefetch)
    }

    /// The same for a broker at `url` (another virtual host, a relay's port).
    public static func brokerConfiguration(url: AMQPURL, appID: String = "n0core-test", prefetch: UInt16 = 32) -> BrokerConfiguration {
        BrokerConfiguration(
            url: url, appID: appID, heartbeat: .seconds(5), prefetch: prefetch,
            reconnectBackoff: ReconnectBackoff(initial: .milliseconds(50), maximum: .seconds(1)))
    }

    /// Runs `body` with a migrated store on a running client (connections use `schema` as their
    /// search path when one is given).
    public static func withStore<Result: Sendable>(
        schema: String? = nil, migrate: Bool = true, maximumConnections: Int = 6, port: Int? = nil,
        outboxSender: String? = nil, logger: Logger? = nil,
        _ body: (Store) async throws -> Result
    ) async throws -> Result {
        var url = try requireDatabase()
        if let port { url.port = port }
        var configuration = url.configuration
        configuration.options.maximumConnections = maximumConnections
        if let schema {
            configuration.options.additionalStartupParameters.append(("search_path", schema))
        }
        let client = PostgresClient(configuration: configuration)
        let store = logger.map { Store(client: client, logger: $0, outboxSender: outboxSender) }
            ?? Store(client: client, outboxSender: outboxSender)
        let running = Task { await client.run() }
        do {
            if migrate { try await store.migrate() }
            let result = try await body(store)
            await stop(running)
            return result
        } catch {
            await stop(running)
            throw error
        }
    }

    /// Cancels a client's `run()` and waits for it to return, for at most 30 s. Under heavy load
    /// a `PostgresClient` was once seen never to return from a cancelled `run()`, with no
    /// connection left open and nothing scheduled, which held the whole test run for ever; such a
    /// client is left behind, with a warning, so that at worst it leaks.
    static func stop(_ running: Task<Void, Never>) async {
        running.cancel()
        do {
            try await withDeadline(.seconds(30), onOverrun: .abandon) { await running.value }
        } catch is DeadlineExceeded {
            Logger(label: "n0core.tests").warning("a PostgreSQL client did not stop within 30 s of its cancellation; left behind")
        } catch {
            // The test itself was cancelled: the client was cancelled too, and is not waited for.
        }
    }

    public static func withIsolatedStore<Result: Sendable>(
        migrate: Bool = true, maximumConnections: Int = 6, _ body: (Store) async throws -> Result
    ) async throws -> Result {
        try await withIsolatedSchema { schema in
            try await withStore(schema: schema, migrate: migrate, maximumConnections: maximumConnections, body)
        }
    }

    /// A schema of this test's own (dropped afterwards), for tests that open several stores on
    /// it (``withStore(schema:migrate:maximumConnections:port:outboxSender:logger:_:)``).
    public static func withIsolatedSchema<Result: Sendable>(_ body: (String) async throws -> Result) async throws -> Result {
        try await withStore(migrate: false, maximumConnections: 1) { admin in
            let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await admin.client.query("CREATE SCHEMA \(unescaped: schema)")
            do {
                let result = try await body(schema)
                // Bounded like the client's stop: a test fails rather than holding the run.
                try await withDeadline(.seconds(60), onOverrun: .abandon) {
                    _ = try await admin.client.query("DROP SCHEMA \(unescaped: schema) CASCADE")
                }
                return result
            } catch {
                _ = try? await admin.client.query("DROP SCHEMA \(unescaped: schema) CASCADE")
                throw error
            }
        }
    }

    /// How many rows `table` holds (for tests on an isolated schema).
    public static func count(_ table: String, in store: Store) async throws -> Int {
        let rows = try await store.client.query("SELECT count(*)::int FROM \(unescaped: table)")
        var total = 0
        for try await value in rows.decode(Int.self) { total = value }
        return total
    }

    /// A queue name no other test (or run) uses.
    public static func uniqueQueueName(_ prefix: String = "test") -> String {
        "\(prefix).\(UUID().uuidString.lowercased())"
    }
}
