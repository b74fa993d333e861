import Broker
import Foundation
import Messages
import ServiceSupport

/// The console messages and their addresses: a request goes to the compute agent's own queue, the
/// reply to the asking API instance's reply key, `api.reply.<uuid>`, on the `n0core` exchange.
///
/// Not RabbitMQ's direct reply-to: its replies are published to the default exchange, which needs
/// write permission on `amq.default`, and no n0core user has that (docs/security.md).
public enum ConsoleClient {
    /// What every reply key starts with.
    public static let replyPrefix = "api.reply."

    /// The reply queue and routing key of one API process.
    public static func replyKey(instance: UUID) -> String {
        replyPrefix + instance.uuidString.lowercased()
    }

    /// Whether `key` is a reply key as ``replyKey(instance:)`` makes them: the only place an agent
    /// sends a console's log to, whatever a request says.
    public static func isReplyKey(_ key: String) -> Bool {
        guard key.hasPrefix(replyPrefix) else { return false }
        let rest = String(key.dropFirst(replyPrefix.count))
        return UUID(uuidString: rest) != nil && rest == rest.lowercased()
    }

    /// The request, to the agent `agentID`. Not tied to a spec (no `correlation_id`).
    public static func request(_ message: ConsoleRequestMessage, to agentID: ObjectID) -> OutgoingMessage {
        var outgoing = OutgoingMessage(message, routingKey: AgentClient.queue(agentID), specID: nil, trace: nil)
        outgoing.messageID = message.requestID.uuidString.lowercased()
        return outgoing
    }

    /// The reply, to the key the request named (checked with ``isReplyKey(_:)`` first).
    public static func reply(_ message: ConsoleReplyMessage, to replyKey: String) -> OutgoingMessage {
        OutgoingMessage(message, routingKey: replyKey, specID: nil, trace: nil)
    }
}
