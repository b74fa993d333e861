import Broker
import Foundation
import TestSupport

/// A RabbitMQ virtual host of one test, made with `rabbitmqctl` and deleted afterwards with
/// everything in it.
///
/// An agent started as its own process talks to the real `conductor` queue, and its heartbeats
/// would make it a live compute agent for any conductor running on the shared broker (which
/// could then place another test's VM on it). In a virtual host of its own, its `conductor`
/// queue is the test's, and nothing else sees it.
struct IsolatedVirtualHost: Sendable {
    let name: String
    /// The broker's URL with this virtual host.
    let url: AMQPURL

    /// Creates the virtual host and gives the broker URL's user all rights on it.
    static func create(base: AMQPURL) throws -> IsolatedVirtualHost {
        let name = "n0t-compute-" + UUID().uuidString.prefix(8).lowercased()
        try HostCommand.check(["rabbitmqctl", "-q", "add_vhost", name])
        do {
            try HostCommand.check(["rabbitmqctl", "-q", "set_permissions", "-p", name, base.user, ".*", ".*", ".*"])
        } catch {
            _ = try? HostCommand.run(["rabbitmqctl", "-q", "delete_vhost", name])
            throw error
        }
        var url = base
        url.vhost = name
        return IsolatedVirtualHost(name: name, url: url)
    }

    func delete() {
        _ = try? HostCommand.run(["rabbitmqctl", "-q", "delete_vhost", name])
    }

    /// The URL as the agent reads it from `N0CORE_AMQP_URL` (credentials included: it goes
    /// only into the agent's environment).
    var urlText: String {
        func encoded(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
        }
        return "amqp://\(encoded(url.user)):\(encoded(url.password))@\(url.host):\(url.port)/\(encoded(url.vhost))"
    }
}
