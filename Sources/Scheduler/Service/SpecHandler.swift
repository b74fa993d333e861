import Foundation
import Logging
import MessageHandling
import Messages
import ServiceDatabase
import ServiceSupport
import Store
import W3CTraceContext

/// The scheduler's handler of its queue: reads a `Spec` and schedules it (``SpecScheduler``),
/// with the other specs in hand in one transaction, within ``SchedulerSettings/attemptTimeout``.
///
/// - A body that is not a `Spec`, a message without a usable `message_id`, or a `Spec` the
///   scheduler cannot act on (unknown spec, object without an id) is rejected: dead-lettered
///   with the reason, changing nothing.
/// - A redelivered message is recognised by its `message_id` (recorded in the same transaction
///   as its effect) and only acknowledged.
/// - The database's outages pause the queue (``ErrorClassifier/store``), lost races are retried.
struct SpecHandler: MessageHandler {
    struct Message: Sendable {
        var spec: SpecMessage
        var messageID: UUID
        var trace: TraceContext?
    }

    let scheduler: SpecScheduler
    /// Specs handled at once share a transaction; nil schedules each alone. A spec whose first
    /// try failed is tried again alone.
    let batches: GroupCommit<SpecScheduler.Item, SpecScheduler.Outcome>?
    let settings: SchedulerSettings
    let logger: Logger

    func decode(_ envelope: Envelope) throws(MessageRejection) -> Message {
        if let type = envelope.properties.type, type != MessageType.spec.rawValue {
            throw MessageRejection("the scheduler takes Spec messages, not \(type)")
        }
        let messageID = try envelope.messageUUID()
        let spec = try envelope.decode(SpecMessage.self)
        do {
            try SpecRejection.check(spec)
        } catch {
            throw MessageRejection(error.description)
        }
        return Message(spec: spec, messageID: messageID, trace: TraceContext(headers: envelope.properties.headers))
    }

    func handle(_ message: Message, context: HandlingContext) async throws -> Disposition {
        var metadata: Logger.Metadata = [
            "message_id": "\(message.messageID)", "spec_id": "\(message.spec.id)",
        ]
        if let trace = message.trace { metadata["trace_id"] = "\(trace.traceID)" }
        let scheduler = self.scheduler
        let batches = context.attempt == 1 ? self.batches : nil
        let outcome: SpecScheduler.Outcome
        do {
            outcome = try await withDeadline(settings.attemptTimeout, onOverrun: .abandon) {
                let item = SpecScheduler.Item(message: message.spec, messageID: message.messageID, trace: message.trace)
                if let batches { return try await batches.submit(item) }
                return try await scheduler.schedule(item)
            }
        } catch let rejection as SpecRejection {
            throw MessageRejection(rejection.description)
        } catch let stale as StaleSnapshot {
            return .retry(reason: stale.description)
        }
        outcome.log(to: logger, metadata: metadata, objects: message.spec.spec.count)
        return .done
    }
}

extension SpecScheduler.Outcome {
    func log(to logger: Logger, metadata: Logger.Metadata, objects: Int) {
        switch self {
        case .duplicate:
            logger.debug("spec already scheduled; acknowledging the redelivery", metadata: metadata)
        case .scheduled(let version, let requests):
            logger.info("spec scheduled", metadata: metadata.merging([
                "version": "\(version)", "objects": "\(objects)", "requests": "\(requests)",
            ]) { $1 })
        case .waiting(let version, let reason):
            logger.notice("spec waits; it is placed when it can be", metadata: metadata.merging([
                "version": "\(version)", "reason": "\(reason)",
            ]) { $1 })
        case .superseded(let version):
            logger.info("spec version superseded before it was placed; nothing to do", metadata: metadata.merging([
                "version": "\(version)",
            ]) { $1 })
        case .failed(let version, let reason):
            logger.notice("spec cannot be placed", metadata: metadata.merging([
                "version": "\(version)", "reason": "\(reason)",
            ]) { $1 })
        case .moved(let version, let requests):
            logger.info("spec moved off a draining host", metadata: metadata.merging([
                "version": "\(version)", "requests": "\(requests)",
            ]) { $1 })
        case .pinned(let version, let reason):
            logger.notice("spec stays on a draining host", metadata: metadata.merging([
                "version": "\(version)", "reason": "\(reason)",
            ]) { $1 })
        }
    }
}
