import Logging
import MessageHandling
import Messages

/// The API's reply queue: each `ConsoleReply` goes to the request waiting for it.
struct ConsoleReplyHandler: MessageHandler {
    let pending: PendingReplies
    let logger: Logger

    func decode(_ envelope: Envelope) throws(MessageRejection) -> ConsoleReplyMessage {
        guard envelope.properties.type == MessageType.consoleReply.rawValue else {
            throw MessageRejection("unexpected message type '\(envelope.properties.type ?? "")' on a reply queue; expected ConsoleReply")
        }
        return try envelope.decode(ConsoleReplyMessage.self)
    }

    func handle(_ reply: ConsoleReplyMessage, context: HandlingContext) async throws -> Disposition {
        if !pending.deliver(reply.requestID, reply) {
            // Its asker gave up (timed out, or the client went away): nothing to do with it.
            logger.debug("a console reply nobody waits for", metadata: [
                "request_id": "\(reply.requestID)", "agent_id": "\(reply.agentID)",
            ])
        }
        return .done
    }
}
