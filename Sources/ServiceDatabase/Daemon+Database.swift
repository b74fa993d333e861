import PostgresNIO
import ServiceSupport
import Store

extension Daemon {
    /// The database as a service of this daemon (pool, migrations), reported in `/readyz` as
    /// `database`; the spec version changes its transactions commit are counted (``SpecMetrics``).
    public func makeDatabase() throws -> Database {
        let url = try DatabaseURL(try configuration.requiredDatabaseURL())
        let client = PostgresClient(configuration: url.configuration, backgroundLogger: logger)
        let store = Store(client: client, logger: logger, outboxSender: name, onVersionChanges: SpecMetrics().record)
        let database = Database(client: client, store: store, logger: logger)
        readiness.add("database") { await database.isReady() }
        return database
    }
}
