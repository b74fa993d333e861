import Broker
import Logging
import ServiceLifecycle

/// The one way a service receives messages: takes deliveries from a queue, has its
/// ``MessageHandler`` decode and handle each, and settles it by the ``Disposition``:
///
/// - **done** — acknowledged (only now: the handler has committed its effect);
/// - **dead-letter** — moved to `n0core.dead` with the reason, never crash-looping the service;
/// - **retry** — handled again in place after a growing pause, then dead-lettered once the
///   ``RetryPolicy`` is spent;
/// - **pause** — the ``OutageGate`` closes: no further deliveries are taken, the paused ones
///   wait for the dependency to answer and are handled again, spending no attempt and no
///   redelivery;
/// - **abandon** — left unsettled for the broker to redeliver.
///
/// Up to ``Configuration/concurrency`` messages are handled at once; a message the handler
/// wants in line is handled before the next delivery is taken. A message redelivered while it
/// is still in hand (its connection was lost and reopened) does not start twice: the newer
/// delivery takes the older's place for settling. Settling failures are logged and counted,
/// never ignored. On graceful shutdown it stops taking deliveries, ends pauses (those deliveries
/// are left for redelivery) and waits for the messages being handled.
public struct MessageDispatcher<Source: DeliverySource, Handler: MessageHandler>: Service {
    public struct Configuration: Sendable {
        /// Messages handled at once.
        public var concurrency: Int
        public var retry: RetryPolicy

        public init(concurrency: Int, retry: RetryPolicy = RetryPolicy()) {
            self.concurrency = max(1, concurrency)
            self.retry = retry
        }
    }

    /// How one delivery ended, told to ``onSettled`` after it was settled.
    public struct Settled: Sendable, Equatable {
        public var messageID: String?
        public var type: String?
        public var disposition: Disposition
    }

    public typealias Delivery = Source.Deliveries.Element

    let source: Source
    let handler: Handler
    let configuration: Configuration
    let classifier: ErrorClassifier
    let gate: OutageGate?
    let logger: Logger
    let onSettled: @Sendable (Settled) -> Void
    let metrics: HandlingMetrics

    /// - Parameters:
    ///   - gate: closed by ``Disposition/pause(reason:)``; without one a pause waits
    ///     ``RetryPolicy/maximumDelay`` and tries again.
    ///   - onSettled: told how each delivery ended (tests, observers).
    public init(
        source: Source, handler: Handler, configuration: Configuration, classifier: ErrorClassifier = .retryEverything,
        gate: OutageGate? = nil, logger: Logger, onSettled: @escaping @Sendable (Settled) -> Void = { _ in }
    ) {
        self.source = source
        self.handler = handler
        self.configuration = configuration
        self.classifier = classifier
        self.gate = gate
        var logger = logger
        logger[metadataKey: "queue"] = "\(source.queue)"
        self.logger = logger
        self.onSettled = onSettled
        metrics = HandlingMetrics(queue: source.queue)
    }

    public func run() async throws {
        let stop = StopSignal()
        let inFlight = InFlightDeliveries<Delivery>()
        await withGracefulShutdownHandler {
            await consume(stop: stop, inFlight: inFlight)
        } onGracefulShutdown: {
            stop.raise()
        }
    }

    private func consume(stop: StopSignal, inFlight: InFlightDeliveries<Delivery>) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            do {
                var iterator = source.deliveries().makeAsyncIterator()
                while !stop.isRaised {
                    guard let delivery = try await iterator.next() else { break }
                    metrics.consumed()
                    // A delivery that arrived while a dependency is down waits, unhandled and
                    // unsettled, until it is back (checked after taking it: the outage may have
                    // begun while this loop waited for the delivery).
                    if let gate, !gate.isOpen {
                        metrics.paused(true)
                        guard await waitForGate(gate, stop: stop) else { break }
                        metrics.paused(false)
                    }
                    guard let slot = inFlight.begin(delivery) else {
                        logger.info("a message in hand was delivered again; it is settled once its handling ends", metadata: [
                            "message_id": "\(delivery.properties.messageID ?? "-")",
                        ])
                        continue
                    }
                    guard let message = await decode(slot, inFlight: inFlight, stop: stop) else { continue }
                    if handler.handlesInLine(message) {
                        await process(message, slot: slot, stop: stop, inFlight: inFlight)
                        continue
                    }
                    while running >= configuration.concurrency {
                        await group.next()
                        running -= 1
                    }
                    running += 1
                    group.addTask { await process(message, slot: slot, stop: stop, inFlight: inFlight) }
                    metrics.inHand(inFlight.count)
                }
            } catch is CancellationError {
            } catch {
                if !stop.isRaised {
                    logger.error("the queue's deliveries ended with an error", metadata: ["error": "\(error)"])
                }
            }
            stop.raise()
            await handler.deliveriesEnded()
            await group.waitForAll()
        }
    }

    /// The handler's message for the slot's delivery; nil (the delivery dead-lettered) when it
    /// can never be processed.
    private func decode(
        _ slot: DeliverySlot<Delivery>, inFlight: InFlightDeliveries<Delivery>, stop: StopSignal
    ) async -> Handler.Message? {
        let delivery = slot.current
        let rejection: MessageRejection
        do throws(MessageRejection) {
            return try handler.decode(Envelope(body: delivery.body, properties: delivery.properties, redelivered: delivery.redelivered))
        } catch {
            rejection = error
        }
        await finish(slot, .deadLetter(reason: rejection.reason), started: .now, inFlight: inFlight, stop: stop)
        return nil
    }

    /// Handles one message until it has a final disposition, then settles it.
    private func process(
        _ message: Handler.Message, slot: DeliverySlot<Delivery>, stop: StopSignal, inFlight: InFlightDeliveries<Delivery>
    ) async {
        let started = ContinuousClock.now
        var failures = 0
        while true {
            let delivery = slot.current
            let context = HandlingContext(properties: delivery.properties, redelivered: delivery.redelivered,
                                          attempt: failures + 1)
            let disposition: Disposition
            do {
                disposition = try await handler.handle(message, context: context)
            } catch {
                disposition = classifier.disposition(for: error)
            }
            let metadata: Logger.Metadata = [
                "message_id": "\(delivery.properties.messageID ?? "-")", "type": "\(delivery.properties.type ?? "-")",
            ]
            switch disposition {
            case .done, .deadLetter, .abandon:
                gate?.reportHealthy()
                await finish(slot, disposition, started: started, inFlight: inFlight, stop: stop)
                return
            case .retry(let reason):
                failures += 1
                guard failures < configuration.retry.maxAttempts else {
                    await finish(slot, .deadLetter(reason: "failed \(failures) times; the last time: \(reason)"),
                                 started: started, inFlight: inFlight, stop: stop)
                    return
                }
                let delay = configuration.retry.delay(afterFailures: failures)
                metrics.retried()
                logger.warning("handling failed; trying again", metadata: metadata.merging([
                    "reason": "\(reason)", "attempt": "\(failures)", "retry_in": "\(delay)",
                ]) { $1 })
                guard await stop.sleep(for: delay) else {
                    await finish(slot, .abandon, started: started, inFlight: inFlight, stop: stop)
                    return
                }
            case .pause(let reason):
                if let gate {
                    gate.close(reason: reason)
                    guard await waitForGate(gate, stop: stop) else {
                        await finish(slot, .abandon, started: started, inFlight: inFlight, stop: stop)
                        return
                    }
                } else {
                    logger.warning("a dependency is unavailable; trying again", metadata: metadata.merging([
                        "reason": "\(reason)",
                    ]) { $1 })
                    guard await stop.sleep(for: configuration.retry.maximumDelay) else {
                        await finish(slot, .abandon, started: started, inFlight: inFlight, stop: stop)
                        return
                    }
                }
            }
        }
    }

    /// Waits for the gate to open; false when the service is stopping first.
    private func waitForGate(_ gate: OutageGate, stop: StopSignal) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await gate.waitUntilOpen() }
            group.addTask {
                await stop.wait()
                return false
            }
            let opened = await group.next() ?? false
            group.cancelAll()
            return opened && !stop.isRaised
        }
    }

    /// Settles the delivery in the slot by `disposition` (``Disposition/done``,
    /// ``Disposition/deadLetter(reason:)`` or ``Disposition/abandon``) and reports it.
    private func finish(
        _ slot: DeliverySlot<Delivery>, _ disposition: Disposition, started: ContinuousClock.Instant,
        inFlight: InFlightDeliveries<Delivery>, stop: StopSignal
    ) async {
        let delivery = slot.current
        let properties = delivery.properties
        do {
            switch disposition {
            case .done:
                try await delivery.ack()
            case .deadLetter(let reason):
                try await delivery.deadLetter(reason: reason)
                metrics.deadLettered()
            case .abandon:
                logger.debug("leaving a message for redelivery", metadata: ["message_id": "\(properties.messageID ?? "-")"])
            case .retry, .pause:
                preconditionFailure("only final dispositions are settled")
            }
        } catch {
            metrics.settleFailed()
            logger.error("could not settle a delivery; the broker will deliver it again", metadata: [
                "message_id": "\(properties.messageID ?? "-")", "disposition": "\(disposition.outcome)",
                "error": "\(error)",
            ])
        }
        metrics.handled(type: properties.type ?? "-", outcome: disposition.outcome, duration: .now - started)
        onSettled(Settled(messageID: properties.messageID, type: properties.type, disposition: disposition))
        // Copies of the message that arrived while it was in hand: handled now, in this task
        // (the handler recognises them as done, or does the work once more, idempotently).
        for follower in inFlight.end(slot) {
            guard !stop.isRaised, let next = inFlight.begin(follower) else { continue }
            guard let message = await decode(next, inFlight: inFlight, stop: stop) else { continue }
            await process(message, slot: next, stop: stop, inFlight: inFlight)
        }
        metrics.inHand(inFlight.count)
    }
}
