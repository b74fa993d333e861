import Logging
import PostgresNIO
import ServiceLifecycle
import Store
import Synchronization
import ServiceSupport

/// The database of a daemon as one service: runs the connection pool and applies the schema
/// migrations at start-up, retrying while PostgreSQL is not there yet. Until they are applied
/// the daemon reports itself not ready (`/readyz`), so no load balancer sends it work; its other
/// services start at once and retry their own database work meanwhile.
public final class Database: Service, Sendable {
    public let store: Store
    private let client: PostgresClient
    private let logger: Logger
    private let migrated = Atomic<Bool>(false)

    public init(client: PostgresClient, store: Store, logger: Logger) {
        self.client = client
        self.store = store
        self.logger = logger
    }

    /// Whether the schema is up to date and the database answers: the `/readyz` check.
    public func isReady() async -> Bool {
        migrated.load(ordering: .acquiring) ? await store.answers() : false
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { try await self.migrateWithRetry() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    private func migrateWithRetry() async throws {
        var delay = Duration.milliseconds(200)
        while !Task.isCancelled {
            do {
                let applied = try await store.migrate()
                logger.info("database schema up to date", metadata: ["migrations_applied": "\(applied.map(\.version))"])
                migrated.store(true, ordering: .releasing)
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("database not ready, retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
