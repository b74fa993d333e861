import Foundation
import Logging
import MessageHandling
import Messages
import ServiceSupport
import W3CTraceContext

/// The conductor's handler of its queue: records a result (``ResultRecorder``), with the
/// other results in hand in one transaction (``batches``), or a heartbeat (``AgentRegistry``),
/// and reports how it ended.
struct ConductorHandler: MessageHandler {
    let results: ResultRecorder
    /// Results handled at once share a transaction; nil records each alone. A result whose
    /// first try failed is tried again alone, so one bad result never fails its batch twice.
    let batches: GroupCommit<ResultRecorder.Item, ResultRecorder.Outcome>?
    let registry: AgentRegistry
    let hearing: HearingMonitor
    /// Checks each message's sender first when `conductor.agent_user` is set.
    let senders: SenderVerifier?
    /// Past it a delivery's transaction is abandoned and the database counts as out.
    let databaseTimeout: Duration
    let onHandled: @Sendable (HandledDelivery) -> Void

    func decode(_ envelope: Envelope) throws(MessageRejection) -> IncomingMessage {
        try IncomingMessage.decode(envelope)
    }

    func handle(_ message: IncomingMessage, context: HandlingContext) async throws -> Disposition {
        if let senders {
            let userID = context.properties.userID
            try await withDeadline(databaseTimeout, onOverrun: .abandon) { try await senders.verify(message, userID: userID) }
        }
        let outcome: HandledDelivery.Outcome
        // Abandoned past the deadline (a late commit is harmless: results are deduplicated by
        // message id, heartbeats only move forward), so an outage pauses consuming.
        switch message {
        case .notify(let notify, let messageID):
            let trace = TraceContext(headers: context.properties.headers)?.nextHop()
            let batches = context.attempt == 1 ? self.batches : nil
            outcome = HandledDelivery.Outcome(try await withDeadline(databaseTimeout, onOverrun: .abandon) { [results] in
                if let batches {
                    return try await batches.submit(ResultRecorder.Item(notify: notify, messageID: messageID, trace: trace))
                }
                return try await results.record(notify, messageID: messageID, trace: trace)
            })
        case .heartbeat(let heartbeat):
            try await withDeadline(databaseTimeout, onOverrun: .abandon) { [registry] in try await registry.record(heartbeat) }
            hearing.heard(heartbeatSentAt: heartbeat.sentAt)
            outcome = .heartbeat
        }
        onHandled(HandledDelivery(messageID: context.properties.messageID, type: context.properties.type, outcome: outcome))
        return .done
    }
}
