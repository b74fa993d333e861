import Foundation
import Logging
import MessageHandling
import Messages
import W3CTraceContext

/// The conductor's handler of its queue: records a result (``ResultRecorder``) or a heartbeat
/// (``AgentRegistry``), each in one transaction, and reports how it ended.
struct ConductorHandler: MessageHandler {
    let results: ResultRecorder
    let registry: AgentRegistry
    let hearing: HearingMonitor
    let onHandled: @Sendable (HandledDelivery) -> Void

    func decode(_ envelope: Envelope) throws(MessageRejection) -> IncomingMessage {
        try IncomingMessage.decode(envelope)
    }

    func handle(_ message: IncomingMessage, context: HandlingContext) async throws -> Disposition {
        let outcome: HandledDelivery.Outcome
        switch message {
        case .notify(let notify, let messageID):
            let trace = TraceContext(headers: context.properties.headers)?.nextHop()
            outcome = HandledDelivery.Outcome(try await results.record(notify, messageID: messageID, trace: trace))
        case .heartbeat(let heartbeat):
            try await registry.record(heartbeat)
            hearing.heard(heartbeatSentAt: heartbeat.sentAt)
            outcome = .heartbeat
        }
        onHandled(HandledDelivery(messageID: context.properties.messageID, type: context.properties.type, outcome: outcome))
        return .done
    }
}
