import Foundation

/// A decoded message of any type, for consumers whose queue carries several (an agent's topic
/// gets `Request` and `Notify`; the conductor's gets `Notify` and `Heartbeat`).
public enum AnyWireMessage: Sendable, Hashable {
    case spec(SpecMessage)
    case request(RequestMessage)
    case notify(NotifyMessage)
    case heartbeat(HeartbeatMessage)
    case consoleRequest(ConsoleRequestMessage)
    case consoleReply(ConsoleReplyMessage)

    /// Decodes `body` as the message named by the AMQP `type` property.
    public init(type: MessageType, body: Data, format: WireFormat = .json) throws(DocumentError) {
        switch type {
        case .spec: self = .spec(try MessageCodec.decode(SpecMessage.self, from: body, format: format))
        case .request: self = .request(try MessageCodec.decode(RequestMessage.self, from: body, format: format))
        case .notify: self = .notify(try MessageCodec.decode(NotifyMessage.self, from: body, format: format))
        case .heartbeat: self = .heartbeat(try MessageCodec.decode(HeartbeatMessage.self, from: body, format: format))
        case .consoleRequest: self = .consoleRequest(try MessageCodec.decode(ConsoleRequestMessage.self, from: body, format: format))
        case .consoleReply: self = .consoleReply(try MessageCodec.decode(ConsoleReplyMessage.self, from: body, format: format))
        }
    }

    public var messageType: MessageType {
        switch self {
        case .spec: .spec
        case .request: .request
        case .notify: .notify
        case .heartbeat: .heartbeat
        case .consoleRequest: .consoleRequest
        case .consoleReply: .consoleReply
        }
    }
}
