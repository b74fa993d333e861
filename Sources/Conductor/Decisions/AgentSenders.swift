import MessageHandling
import Messages

/// Which broker user may speak for the agents of a hypervisor (`conductor.agent_user`).
///
/// Each hypervisor's agents publish as that hypervisor's own broker user
/// (`deploy/rabbitmq-setup.sh hypervisor`), and RabbitMQ refuses a message whose `user_id` is not
/// its connection's user, so `user_id` names the hypervisor that really sent a message. A
/// heartbeat or result is accepted only from the user of the host its agent is on; anything else
/// — another hypervisor's user, the `user_id` left out — is a forged sender.
public struct AgentSenders: Sendable, Hashable {
    /// Where the host id goes in ``template``.
    public static let placeholder = "{host_id}"
    /// The broker user of a hypervisor, `{host_id}` standing for its host id, e.g.
    /// `n0core-hypervisor-{host_id}`.
    public let template: String

    /// - Returns: nil when `template` does not contain ``placeholder`` (one user for every host
    ///   would tell hypervisors apart no better than no check).
    public init?(template: String) {
        guard template.contains(Self.placeholder) else { return nil }
        self.template = template
    }

    /// The broker user the agents of `host` publish as.
    public func user(ofHost host: ObjectID) -> String {
        template.replacingOccurrences(of: Self.placeholder, with: host.description)
    }

    /// Refuses `what` (a heartbeat, a result) unless it was published as the user of `host`.
    /// - Parameter userID: the message's AMQP `user_id`.
    func check(userID: String?, host: ObjectID, what: String) throws(MessageRejection) {
        let expected = user(ofHost: host)
        guard let userID, !userID.isEmpty else {
            throw MessageRejection("forged sender: \(what) has no user_id; agents of host \(host) publish as broker user '\(expected)'")
        }
        guard userID == expected else {
            throw MessageRejection(
                "forged sender: \(what) was published by broker user '\(userID)', but agents of host \(host) publish as '\(expected)'")
        }
    }
}
