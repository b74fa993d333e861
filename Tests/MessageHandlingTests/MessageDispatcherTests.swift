import Broker
import Foundation
import Logging
import MessageHandling
import Synchronization
import Testing

/// The one way a service receives messages, with deliveries and handlers of the tests' own.
@Suite("Message dispatcher")
struct MessageDispatcherTests {
    /// A handler whose answer to each message (its body) the test scripts, and which records
    /// what it was asked.
    final class ScriptedHandler: MessageHandler, Sendable {
        typealias Script = @Sendable (_ body: String, _ context: HandlingContext) async throws -> Disposition
        let script: Script
        let inLine: Bool
        let calls = Mutex<[(body: String, attempt: Int)]>([])
        let running = Mutex(0)
        let mostAtOnce = Mutex(0)

        init(inLine: Bool = false, _ script: @escaping Script) {
            self.script = script
            self.inLine = inLine
        }

        func decode(_ envelope: Envelope) throws(MessageRejection) -> String {
            let text = String(decoding: envelope.body, as: UTF8.self)
            if text == "garbage" { throw MessageRejection("undecodable: garbage") }
            return text
        }

        func handlesInLine(_ message: String) -> Bool { inLine }

        func handle(_ message: String, context: HandlingContext) async throws -> Disposition {
            calls.withLock { $0.append((message, context.attempt)) }
            let now = running.withLock { $0 += 1; return $0 }
            mostAtOnce.withLock { $0 = max($0, now) }
            defer { running.withLock { $0 -= 1 } }
            return try await script(message, context)
        }

        var bodies: [String] { calls.withLock { $0.map(\.body) } }
        var attempts: [Int] { calls.withLock { $0.map(\.attempt) } }
    }

    final class Run: Sendable {
        let source = FakeSource()
        let settled = Mutex<[MessageDispatcher<FakeSource, ScriptedHandler>.Settled]>([])
    }

    static var logger: Logger {
        var logger = Logger(label: "test.dispatcher")
        logger.logLevel = .critical
        return logger
    }

    /// Runs a dispatcher over `deliveries` until `until` holds, then ends the source.
    func dispatch(
        _ handler: ScriptedHandler, concurrency: Int = 4, retry: RetryPolicy = RetryPolicy(initialDelay: .milliseconds(1)),
        classifier: ErrorClassifier = .retryEverything, gate: OutageGate? = nil,
        _ body: (FakeSource) async throws -> Void
    ) async throws -> [MessageDispatcher<FakeSource, ScriptedHandler>.Settled] {
        let run = Run()
        let dispatcher = MessageDispatcher(
            source: run.source, handler: handler, configuration: .init(concurrency: concurrency, retry: retry),
            classifier: classifier, gate: gate, logger: Self.logger,
            onSettled: { settled in run.settled.withLock { $0.append(settled) } })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            try await body(run.source)
            run.source.end()
            try await group.waitForAll()
        }
        return run.settled.withLock { $0 }
    }

    func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw Timeout(what: what) }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    struct Timeout: Error { let what: String }

    @Test func doneIsAcknowledgedAfterTheHandlerReturns() async throws {
        let handler = ScriptedHandler { _, _ in .done }
        let delivery = FakeDelivery("one")
        let settled = try await dispatch(handler) { source in
            source.deliver(delivery)
            try await eventually("settled") { !delivery.settlements.isEmpty }
        }
        #expect(delivery.settlements == [.ack])
        #expect(settled.map(\.disposition) == [.done])
    }

    @Test func whatCannotBeReadOrProcessedIsDeadLetteredWithItsReason() async throws {
        let handler = ScriptedHandler { body, _ in
            if body == "refused" { throw MessageRejection("spec 7 does not exist") }
            return .deadLetter(reason: "told so")
        }
        let (garbage, refused, told) = (FakeDelivery("garbage"), FakeDelivery("refused"), FakeDelivery("told"))
        _ = try await dispatch(handler) { source in
            for delivery in [garbage, refused, told] { source.deliver(delivery) }
            try await eventually("all settled") { [garbage, refused, told].allSatisfy { !$0.settlements.isEmpty } }
        }
        #expect(garbage.settlements == [.deadLetter("undecodable: garbage")])
        #expect(refused.settlements == [.deadLetter("spec 7 does not exist")])
        #expect(told.settlements == [.deadLetter("told so")])
        #expect(!handler.bodies.contains("garbage"), "an undecodable delivery never reaches the handler")
    }

    @Test func aPassingFailureIsRetriedInPlaceThenSucceeds() async throws {
        let failures = Mutex(2)
        let handler = ScriptedHandler { _, _ in
            struct Lost: Error {}
            if failures.withLock({ $0 -= 1; return $0 >= 0 }) { throw Lost() }
            return .done
        }
        let delivery = FakeDelivery("flaky")
        _ = try await dispatch(handler) { source in
            source.deliver(delivery)
            try await eventually("settled") { !delivery.settlements.isEmpty }
        }
        #expect(delivery.settlements == [.ack], "never requeued: a requeue would spend the queue's delivery limit")
        #expect(handler.attempts == [1, 2, 3])
    }

    @Test func aMessageThatKeepsFailingIsDeadLetteredOnceTheRetriesAreSpent() async throws {
        let handler = ScriptedHandler { _, _ in .retry(reason: "a bug") }
        let delivery = FakeDelivery("poison")
        _ = try await dispatch(handler, retry: RetryPolicy(maxAttempts: 4, initialDelay: .milliseconds(1))) { source in
            source.deliver(delivery)
            try await eventually("settled") { !delivery.settlements.isEmpty }
        }
        #expect(delivery.settlements == [.deadLetter("failed 4 times; the last time: a bug")])
        #expect(handler.attempts == [1, 2, 3, 4])
    }

    /// The database outage: the paused message costs no attempt, nothing is requeued or
    /// dead-lettered, no further delivery is taken while the gate is closed, and everything
    /// resumes by itself once the probe answers.
    @Test func anOutagePausesConsumingAndResumesWhenTheDependencyIsBack() async throws {
        let databaseUp = Mutex(false)
        let gate = OutageGate(dependency: "database", probeInterval: .milliseconds(10), logger: Self.logger) {
            databaseUp.withLock { $0 }
        }
        let handler = ScriptedHandler { _, _ in
            databaseUp.withLock { $0 } ? .done : .pause(reason: "database unavailable")
        }
        let (first, second) = (FakeDelivery("first"), FakeDelivery("second"))
        _ = try await dispatch(handler, gate: gate) { source in
            source.deliver(first)
            try await eventually("the gate closed") { !gate.isOpen }
            source.deliver(second)
            try await Task.sleep(for: .milliseconds(100))
            #expect(handler.bodies == ["first"], "no delivery is taken while the dependency is down")
            #expect(first.settlements.isEmpty && second.settlements.isEmpty)
            databaseUp.withLock { $0 = true }
            try await eventually("both settled") { !first.settlements.isEmpty && !second.settlements.isEmpty }
        }
        #expect(first.settlements == [.ack])
        #expect(second.settlements == [.ack])
        #expect(handler.calls.withLock { $0.filter { $0.body == "first" }.map(\.attempt) } == [1, 1], "a pause is not an attempt")
        #expect(gate.isOpen && gate.outageCount == 1)
    }

    @Test func theErrorClassifierDecidesWhatAThrownErrorMeans() async throws {
        struct Outage: Error {}
        let up = Mutex(false)
        let gate = OutageGate(dependency: "database", probeInterval: .milliseconds(10), logger: Self.logger) { up.withLock { $0 } }
        let handler = ScriptedHandler { _, _ in
            if !up.withLock({ $0 }) { throw Outage() }
            return .done
        }
        let classifier = ErrorClassifier { error in error is Outage ? .pause(reason: "down") : nil }
        let delivery = FakeDelivery("x")
        _ = try await dispatch(handler, classifier: classifier, gate: gate) { source in
            source.deliver(delivery)
            try await eventually("paused") { !gate.isOpen }
            up.withLock { $0 = true }
            try await eventually("settled") { !delivery.settlements.isEmpty }
        }
        #expect(delivery.settlements == [.ack])
    }

    @Test func concurrencyIsBoundedAndInLineMessagesGoOneByOne() async throws {
        let slow = ScriptedHandler { _, _ in
            try await Task.sleep(for: .milliseconds(30))
            return .done
        }
        let deliveries = (0..<8).map { FakeDelivery("m\($0)") }
        _ = try await dispatch(slow, concurrency: 3) { source in
            for delivery in deliveries { source.deliver(delivery) }
            try await eventually("all settled") { deliveries.allSatisfy { !$0.settlements.isEmpty } }
        }
        #expect(slow.mostAtOnce.withLock { $0 } == 3)

        let inLine = ScriptedHandler(inLine: true) { _, _ in
            try await Task.sleep(for: .milliseconds(10))
            return .done
        }
        let ordered = (0..<5).map { FakeDelivery("n\($0)") }
        _ = try await dispatch(inLine, concurrency: 3) { source in
            for delivery in ordered { source.deliver(delivery) }
            try await eventually("all settled") { ordered.allSatisfy { !$0.settlements.isEmpty } }
        }
        #expect(inLine.mostAtOnce.withLock { $0 } == 1)
        #expect(inLine.bodies == ordered.map(\.text))
    }

    /// A message redelivered while in hand after its connection was lost: the new delivery is
    /// the one settled, and the work is not started twice.
    @Test func aRedeliveryAfterALostConnectionTakesTheOldDeliverysPlace() async throws {
        let release = Mutex(false)
        let handler = ScriptedHandler { _, _ in
            while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            return .done
        }
        let old = FakeDelivery("apply", messageID: "m-1")
        let redelivered = FakeDelivery("apply", messageID: "m-1", redelivered: true)
        _ = try await dispatch(handler) { source in
            source.deliver(old)
            try await eventually("in hand") { handler.bodies.count == 1 }
            old.loseConnection()
            source.deliver(redelivered)
            try await Task.sleep(for: .milliseconds(50))
            release.withLock { $0 = true }
            try await eventually("settled") { !redelivered.settlements.isEmpty }
        }
        #expect(handler.bodies == ["apply"], "handled once")
        #expect(old.settlements.isEmpty)
        #expect(redelivered.settlements == [.ack])
    }

    /// The same message twice while the first can still be settled (published twice): the
    /// second is handled after the first (the handler then recognises it as done).
    @Test func aSecondCopyOfAMessageInHandIsHandledAfterIt() async throws {
        let release = Mutex(false)
        let handler = ScriptedHandler { _, _ in
            while !release.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            return .done
        }
        let first = FakeDelivery("x", messageID: "m-2")
        let copy = FakeDelivery("x", messageID: "m-2")
        _ = try await dispatch(handler) { source in
            source.deliver(first)
            try await eventually("in hand") { handler.bodies.count == 1 }
            source.deliver(copy)
            try await Task.sleep(for: .milliseconds(50))
            #expect(handler.running.withLock { $0 } == 1)
            release.withLock { $0 = true }
            try await eventually("both settled") { !first.settlements.isEmpty && !copy.settlements.isEmpty }
        }
        #expect(first.settlements == [.ack] && copy.settlements == [.ack])
        #expect(handler.bodies.count == 2)
    }

    @Test func aFailedSettlementIsReportedNotIgnored() async throws {
        let handler = ScriptedHandler { _, _ in .done }
        let delivery = FakeDelivery("x")
        delivery.failAcks()
        let settled = try await dispatch(handler) { source in
            source.deliver(delivery)
            try await eventually("reported") { handler.bodies.count == 1 }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(settled.map(\.disposition) == [.done])
        #expect(delivery.settlements.isEmpty)
    }

    /// Stopping while a message waits out an outage leaves it for redelivery at once.
    @Test func stoppingDuringAPauseAbandonsTheMessage() async throws {
        let gate = OutageGate(dependency: "database", probeInterval: .milliseconds(10), logger: Self.logger) { false }
        let handler = ScriptedHandler { _, _ in .pause(reason: "down") }
        let delivery = FakeDelivery("x")
        let started = ContinuousClock.now
        let settled = try await dispatch(handler, gate: gate) { source in
            source.deliver(delivery)
            try await eventually("paused") { !gate.isOpen }
        }
        #expect(delivery.settlements.isEmpty)
        #expect(settled.map(\.disposition) == [.abandon])
        // The gate never opens: only abandoning ends the wait (generous for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(30))
        gate.shutDown()
    }
}
