import Broker
import Foundation
import TestSupport

/// A RabbitMQ virtual host of one test, made with `rabbitmqctl` (the tests run as root beside
/// the broker) and deleted afterwards with everything in it.
///
/// A service started as its own process talks to the real `scheduler` and `conductor` queues,
/// and an agent's heartbeats would make it a live agent for any conductor on the shared broker
/// (which could then place another test's objects on it). In a virtual host of its own, those
/// queues are the test's, and nothing else sees them.
public struct ScratchVirtualHost: Sendable {
    public let name: String
    /// The broker's URL with this virtual host.
    public let url: AMQPURL

    /// Creates the virtual host `PREFIX-` + 8 hex digits and gives the broker URL's user all
    /// rights on it.
    /// `rabbitmqctl` boots an Erlang VM (a second or more), so it runs off the test threads.
    public static func create(base: AMQPURL, prefix: String = "n0t") async throws -> ScratchVirtualHost {
        let name = "\(prefix)-" + UUID().uuidString.prefix(8).lowercased()
        try await HostCommand.checkOffPool(["rabbitmqctl", "-q", "add_vhost", name])
        do {
            try await HostCommand.checkOffPool(["rabbitmqctl", "-q", "set_permissions", "-p", name, base.user, ".*", ".*", ".*"])
        } catch {
            _ = try? HostCommand.run(["rabbitmqctl", "-q", "delete_vhost", name])
            throw error
        }
        var url = base
        url.vhost = name
        return ScratchVirtualHost(name: name, url: url)
    }

    /// `deploy/rabbitmq-setup.sh` of this checkout.
    public static let setupScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/rabbitmq-setup.sh").path

    public func delete() {
        _ = try? HostCommand.run(["rabbitmqctl", "-q", "delete_vhost", name])
    }

    /// The URL as a service reads it from `N0CORE_AMQP_URL` (credentials included: it goes
    /// only into the service's environment).
    public var urlText: String {
        func encoded(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
        }
        return "amqp://\(encoded(url.user)):\(encoded(url.password))@\(url.host):\(url.port)/\(encoded(url.vhost))"
    }
}
