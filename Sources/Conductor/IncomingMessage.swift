import Foundation
import Messages

/// What arrives on the `conductor` queue: agents' results and heartbeats, told apart by the AMQP
/// `type` property.
enum IncomingMessage: Sendable, Equatable {
    /// A result, with the `message_id` it is recorded once under.
    case notify(NotifyMessage, messageID: UUID)
    case heartbeat(HeartbeatMessage)

    /// Decodes a delivery, or says why it cannot be processed.
    static func decode(type: String?, messageID: String?, body: Data) throws(IncomingRejection) -> IncomingMessage {
        guard let type, !type.isEmpty else {
            throw IncomingRejection("the message has no AMQP type property; expected Notify or Heartbeat")
        }
        guard let messageType = MessageType(rawValue: type), messageType == .notify || messageType == .heartbeat else {
            throw IncomingRejection("unexpected message type '\(type)' on the conductor's queue; expected Notify or Heartbeat")
        }
        let decoded: AnyWireMessage
        do {
            decoded = try AnyWireMessage(type: messageType, body: body)
        } catch {
            throw IncomingRejection("undecodable \(type) body: \(error)")
        }
        switch decoded {
        case .notify(let notify):
            guard let text = messageID, let id = UUID(uuidString: text) else {
                throw IncomingRejection("a Notify needs a UUID message_id so it is recorded once; got \(messageID.map { "'\($0)'" } ?? "none")")
            }
            return .notify(notify, messageID: id)
        case .heartbeat(let heartbeat):
            return .heartbeat(heartbeat)
        case .spec, .request:
            throw IncomingRejection("unexpected message type '\(type)' on the conductor's queue")
        }
    }
}
