import Broker
import Foundation

/// A RabbitMQ user of one test, made with `rabbitmqctl` (the tests run as root beside the
/// broker) with the permissions the test gives it on one virtual host, and deleted afterwards.
///
/// For what depends on who publishes (the broker's `user_id` check, the conductor's sender
/// check) and on what a user may not do (a hypervisor's user finding objects it may not declare).
public struct ScratchBrokerUser: Sendable {
    public let name: String
    /// `base` with this user's credentials.
    public let url: AMQPURL

    /// Creates `name` with a random password and the regexes `configure`, `write`, `read` on the
    /// virtual host of `base` (and no topic restriction).
    public static func create(
        name: String, base: AMQPURL, configure: String = ".*", write: String = ".*", read: String = ".*"
    ) async throws -> ScratchBrokerUser {
        let password = UUID().uuidString.lowercased()
        try await HostCommand.checkOffPool(["rabbitmqctl", "-q", "add_user", name, password])
        do {
            try await HostCommand.checkOffPool(["rabbitmqctl", "-q", "set_permissions", "-p", base.vhost, name, configure, write, read])
        } catch {
            _ = try? HostCommand.run(["rabbitmqctl", "-q", "delete_user", name])
            throw error
        }
        var url = base
        url.user = name
        url.password = password
        return ScratchBrokerUser(name: name, url: url)
    }

    public func delete() {
        _ = try? HostCommand.run(["rabbitmqctl", "-q", "delete_user", name])
    }
}
