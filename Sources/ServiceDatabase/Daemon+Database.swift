import PostgresNIO
import ServiceSupport
import Store

extension Daemon {
    /// The database as a service of this daemon (pool, migrations), reported in `/readyz` as
    /// `database`.
    public func makeDatabase() throws -> Database {
        let url = try DatabaseURL(try configuration.requiredDatabaseURL())
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        let database = Database(client: client, store: Store(client: client, logger: logger, outboxSender: name), logger: logger)
        readiness.add("database") { await database.isReady() }
        return database
    }
}
