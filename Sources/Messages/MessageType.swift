/// The AMQP `type` property of each message, which tells a consumer how to decode the body.
public enum MessageType: String, CaseIterable, Sendable, Hashable {
    case spec = "Spec"
    case request = "Request"
    case notify = "Notify"
    case heartbeat = "Heartbeat"
    /// API → a compute agent: a piece of a VM's serial log (docs/api.md, consoles).
    case consoleRequest = "ConsoleRequest"
    /// Compute agent → the API instance that asked, on its reply key.
    case consoleReply = "ConsoleReply"
}

/// A message body that travels over AMQP; `messageType` is what goes in the `type` property.
public protocol WireMessage: Codable, Sendable {
    static var messageType: MessageType { get }
}
