import Logging
import PostgresNIO
import Store
import Synchronization

/// The suite's own connection pool to the system's database, which it stops and restarts on
/// purpose. Every query goes through ``query(_:)``; when queries have failed for longer than
/// ``renewAfter`` in a row, the pool is replaced by a new one, so the suite's own view of the
/// database never depends on how a pool recovers from an outage (that is the services' test,
/// not the suite's).
final class ChaosDatabase: Sendable {
    private struct Pool {
        var client: PostgresClient
        var task: Task<Void, Never>
        var failingSince: ContinuousClock.Instant?
    }

    private let configuration: PostgresClient.Configuration
    private let logger: Logger
    private let pool: Mutex<Pool>
    let renewAfter: Duration

    init(url: String, logger: Logger, renewAfter: Duration = .seconds(15)) throws {
        var configuration = try DatabaseURL(url).configuration
        configuration.options.maximumConnections = 4
        self.configuration = configuration
        self.logger = logger
        self.renewAfter = renewAfter
        pool = Mutex(Self.makePool(configuration, logger: logger))
    }

    private static func makePool(_ configuration: PostgresClient.Configuration, logger: Logger) -> Pool {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let task = Task { await client.run() }
        return Pool(client: client, task: task, failingSince: nil)
    }

    /// The pool in use now (for code that takes a `PostgresClient`).
    var client: PostgresClient {
        pool.withLock { $0.client }
    }

    /// Runs `body` with the current pool; a failure counts towards renewing it.
    func run<Result: Sendable>(_ body: (PostgresClient) async throws -> Result) async throws -> Result {
        let client = self.client
        do {
            let result = try await body(client)
            pool.withLock { $0.failingSince = nil }
            return result
        } catch {
            noteFailure()
            throw error
        }
    }

    /// Every row of `query`.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await run { client in
            let sequence = try await client.query(query, logger: logger)
            var rows: [PostgresRow] = []
            for try await row in sequence { rows.append(row) }
            return rows
        }
    }

    private func noteFailure() {
        let old: Task<Void, Never>? = pool.withLock { pool in
            let now = ContinuousClock.now
            guard let since = pool.failingSince else {
                pool.failingSince = now
                return nil
            }
            guard now - since >= renewAfter else { return nil }
            let previous = pool.task
            pool = Self.makePool(configuration, logger: logger)
            return previous
        }
        if let old {
            logger.notice("the suite's database pool has failed for \(renewAfter); replacing it")
            old.cancel()
        }
    }

    func shutdown() {
        pool.withLock { $0.task.cancel() }
    }
}
