import Foundation
import TestSupport

/// A RabbitMQ vhost and a PostgreSQL database made for one end-to-end run on the dev
/// environment's servers, with the dev user's rights, and dropped afterwards.
struct ScratchBackends: Sendable {
    let name: String
    let amqpURL: String
    let amqpPort: Int
    let databaseURL: String
    private let databasePort: Int

    static func create() throws -> ScratchBackends {
        let amqp = try IntegrationEnvironment.requireBroker()
        let database = try IntegrationEnvironment.requireDatabase()
        let name = "n0e2e_" + UUID().uuidString.prefix(8).lowercased()
        try HostCommand.check(["rabbitmqctl", "-q", "add_vhost", name])
        try HostCommand.check(["rabbitmqctl", "-q", "set_permissions", "-p", name, amqp.user, ".*", ".*", ".*"])
        try HostCommand.check(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-p", "\(database.port)",
                               "-d", "postgres", "-c", "CREATE DATABASE \(name) OWNER \(database.username)"])
        return ScratchBackends(
            name: name, amqpURL: try Self.replacingPath(of: IntegrationEnvironment.amqpVariable, with: name),
            amqpPort: amqp.port,
            databaseURL: try Self.replacingPath(of: IntegrationEnvironment.databaseVariable, with: name),
            databasePort: database.port)
    }

    /// The URL in environment variable `variable` with its path (vhost, database) set to `name`.
    private static func replacingPath(of variable: String, with name: String) throws -> String {
        guard let text = ProcessInfo.processInfo.environment[variable], var components = URLComponents(string: text) else {
            throw IntegrationEnvironment.Missing(description: "\(variable) is not a URL")
        }
        components.path = "/\(name)"
        guard let url = components.string else {
            throw IntegrationEnvironment.Missing(description: "\(variable) cannot take the path /\(name)")
        }
        return url
    }

    func drop() {
        _ = try? HostCommand.run(["rabbitmqctl", "-q", "delete_vhost", name])
        _ = try? HostCommand.run(["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-p", "\(databasePort)",
                                  "-d", "postgres", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
    }
}
