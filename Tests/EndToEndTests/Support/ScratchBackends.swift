import Foundation
import TestSupport

/// A RabbitMQ vhost and a PostgreSQL database made for one end-to-end run on the dev
/// environment's servers, with the dev user's rights, and dropped afterwards.
struct ScratchBackends: Sendable {
    let virtualHost: ScratchVirtualHost
    let databaseName: String
    let databaseURL: String
    private let databasePort: Int

    var amqpURL: String { virtualHost.urlText }
    var amqpPort: Int { virtualHost.url.port }

    static func create() async throws -> ScratchBackends {
        let database = try IntegrationEnvironment.requireDatabase()
        let virtualHost = try await ScratchVirtualHost.create(base: try IntegrationEnvironment.requireBroker(), prefix: "n0e2e")
        let name = virtualHost.name.replacingOccurrences(of: "-", with: "_")
        do {
            try HostCommand.check(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-p", "\(database.port)",
                                   "-d", "postgres", "-c", "CREATE DATABASE \(name) OWNER \(database.username)"])
            return ScratchBackends(virtualHost: virtualHost, databaseName: name,
                                   databaseURL: try Self.databaseURL(named: name), databasePort: database.port)
        } catch {
            virtualHost.delete()
            throw error
        }
    }

    /// `N0CORE_DATABASE_URL` with its database set to `name`.
    private static func databaseURL(named name: String) throws -> String {
        let variable = IntegrationEnvironment.databaseVariable
        guard let text = ProcessInfo.processInfo.environment[variable], var components = URLComponents(string: text) else {
            throw IntegrationEnvironment.Missing(description: "\(variable) is not a URL")
        }
        components.path = "/\(name)"
        guard let url = components.string else {
            throw IntegrationEnvironment.Missing(description: "\(variable) cannot take the database \(name)")
        }
        return url
    }

    func drop() {
        virtualHost.delete()
        _ = try? HostCommand.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-p", "\(databasePort)",
                                  "-d", "postgres", "-c", "DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)"])
    }
}
