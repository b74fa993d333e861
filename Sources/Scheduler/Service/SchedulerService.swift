import Broker
import Foundation
import Logging
import Messages
import ServiceLifecycle
import ServiceSupport
import Store
import W3CTraceContext

/// The scheduler as a service: consumes `Spec` messages and schedules each in one transaction
/// (see `SpecScheduler`), acknowledging a delivery only once its effect is committed.
///
/// - A body that is not a `Spec`, or a message without a usable `message_id`, goes to the
///   dead-letter queue with the reason and changes nothing; so does a `Spec` the scheduler
///   cannot act on (an unknown spec, an object without an id).
/// - A redelivered message is recognised by its `message_id` (recorded in the same transaction
///   as its effect) and only acknowledged: no second claim, no second `Request`.
/// - While the database is unreachable the delivery is kept and retried with a growing pause,
///   rather than requeued into a hot loop (which would also exhaust the queue's delivery limit).
/// - Up to `settings.concurrency` specs are scheduled at once.
public struct SchedulerService: Service {
    let consumer: Consumer
    let scheduler: SpecScheduler
    let settings: SchedulerSettings
    let logger: Logger

    public init(consumer: Consumer, store: Store, settings: SchedulerSettings, logger: Logger) {
        self.consumer = consumer
        self.settings = settings
        self.logger = logger
        scheduler = SpecScheduler(store: store, settings: settings, logger: logger)
    }

    public func run() async throws {
        let limit = max(1, settings.concurrency)
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            do {
                for try await delivery in consumer.cancelOnGracefulShutdown() {
                    if running >= limit {
                        await group.next()
                        running -= 1
                    }
                    group.addTask { await self.handle(delivery) }
                    running += 1
                }
            } catch {
                if !Task.isCancelled {
                    logger.error("the scheduler queue's deliveries ended with an error", metadata: ["error": "\(error)"])
                }
            }
            await group.waitForAll()
        }
    }

    /// Decodes and schedules one delivery, then settles it.
    func handle(_ delivery: Delivery) async {
        let properties = delivery.properties
        var metadata: Logger.Metadata = ["message_id": "\(properties.messageID ?? "-")"]
        do {
            if let type = properties.type, type != MessageType.spec.rawValue {
                return try await delivery.deadLetter(reason: "the scheduler takes Spec messages, not \(type)")
            }
            guard let messageID = properties.messageID.flatMap(UUID.init(uuidString:)) else {
                return try await delivery.deadLetter(reason: "no message_id (a UUID) to recognise a redelivery by")
            }
            let message: SpecMessage
            do {
                message = try MessageCodec.decode(SpecMessage.self, from: delivery.data, format: .json)
            } catch {
                return try await delivery.deadLetter(reason: "undecodable Spec: \(error)")
            }
            metadata["spec_id"] = "\(message.id)"
            let trace = TraceContext(headers: properties.headers)
            if let trace { metadata["trace_id"] = "\(trace.traceID)" }
            let scheduled: SpecScheduler.Outcome?
            do {
                scheduled = try await scheduleRetrying(message, messageID: messageID, trace: trace, metadata: metadata)
            } catch let rejected as Rejected {
                return try await delivery.deadLetter(reason: rejected.reason)
            }
            guard let outcome = scheduled else { return }
            switch outcome {
            case .duplicate:
                logger.debug("spec already scheduled; acknowledging the redelivery", metadata: metadata)
            case .scheduled(let version, let requests):
                logger.info("spec scheduled", metadata: metadata.merging([
                    "version": "\(version)", "objects": "\(message.spec.count)", "requests": "\(requests)",
                ]) { $1 })
            case .failed(let version, let reason):
                logger.notice("spec cannot be placed", metadata: metadata.merging([
                    "version": "\(version)", "reason": "\(reason)",
                ]) { $1 })
            }
            try await delivery.ack()
        } catch {
            // Settling failed (the delivery was settled already, or the connection is gone and
            // the broker will redeliver it).
            logger.warning("could not settle a delivery", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Schedules, retrying what may pass (an unreachable database, a lost race) with a growing
    /// pause. Throws ``Rejected`` for a message to dead-letter; returns nil when the service is
    /// stopping (the delivery is left unsettled, so the broker redelivers it).
    private func scheduleRetrying(
        _ message: SpecMessage, messageID: UUID, trace: TraceContext?, metadata: Logger.Metadata
    ) async throws -> SpecScheduler.Outcome? {
        var pause = Duration.milliseconds(100)
        var failures = 0
        let delivery = (message, messageID, trace)
        while !Task.isCancelled {
            do {
                let scheduler = self.scheduler
                return try await withDeadline(settings.attemptTimeout) {
                    try await scheduler.schedule(delivery.0, messageID: delivery.1, trace: delivery.2)
                }
            } catch let rejection as SpecRejection {
                throw Rejected(reason: rejection.description)
            } catch {
                if Task.isCancelled { return nil }
                let transient = Self.isTransient(error)
                if !transient { failures += 1 }
                if failures >= 3 {
                    throw Rejected(reason: "scheduling failed \(failures) times: \(error)")
                }
                logger.warning("scheduling failed, retrying", metadata: metadata.merging([
                    "error": "\(error)", "retry_in": "\(pause)",
                ]) { $1 })
                do { try await Task.sleep(for: pause) } catch { return nil }
                pause = min(pause * 2, .seconds(5))
            }
        }
        return nil
    }

    /// Errors that say nothing about the message: retry it as it is.
    static func isTransient(_ error: any Error) -> Bool {
        switch error {
        case StoreError.unavailable, StoreError.retryable: true
        case is StaleSnapshot, is DeadlineExceeded: true
        default: false
        }
    }
}

/// A delivery to dead-letter with its reason.
struct Rejected: Error {
    let reason: String
}
