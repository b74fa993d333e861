import Foundation
import MessageHandling
import Messages

/// What arrives on the `conductor` queue: agents' results and heartbeats, told apart by the AMQP
/// `type` property.
enum IncomingMessage: Sendable, Equatable {
    /// A result, with the `message_id` it is recorded once under.
    case notify(NotifyMessage, messageID: UUID)
    case heartbeat(HeartbeatMessage)

    /// Decodes a delivery, or says why it can never be processed.
    static func decode(_ envelope: Envelope) throws(MessageRejection) -> IncomingMessage {
        guard let type = envelope.properties.type, !type.isEmpty else {
            throw MessageRejection("the message has no AMQP type property; expected Notify or Heartbeat")
        }
        switch MessageType(rawValue: type) {
        case .notify?:
            let notify = try envelope.decode(NotifyMessage.self)
            return .notify(notify, messageID: try envelope.messageUUID())
        case .heartbeat?:
            return .heartbeat(try envelope.decode(HeartbeatMessage.self))
        default:
            throw MessageRejection("unexpected message type '\(type)' on the conductor's queue; expected Notify or Heartbeat")
        }
    }
}
