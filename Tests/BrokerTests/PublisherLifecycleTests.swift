import Logging
import Testing

@testable import Broker

/// What a publisher does before it runs or after it stopped; no broker needed.
@Suite("Publisher lifecycle")
struct PublisherLifecycleTests {
    let publisher = Publisher(
        configuration: BrokerConfiguration(url: AMQPURL(host: "127.0.0.1", port: 1), appID: "n0core-test"),
        logger: Logger(label: "n0core.broker.tests"))
    let message = OutgoingMessage(routingKey: "nowhere", type: "Notify", body: Array("{}".utf8))

    @Test func publishTimesOutWhileThePublisherIsNotRunning() async {
        let started = ContinuousClock.now
        await #expect(throws: BrokerError.timedOut) {
            try await publisher.publish(message, timeout: .milliseconds(200))
        }
        // Bounded, not prompt: this only proves the wait ends (timing belongs in benchmarks).
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(publisher.connectionState == .idle)
    }

    @Test func publishHonoursCancellation() async {
        let task = Task { [publisher, message] in try await publisher.publish(message) }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func publishFailsOnceThePublisherHasShutDown() async throws {
        let states = publisher.connectionStateUpdates()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [publisher] in try await publisher.run() }
            // Port 1 refuses connections: the publisher retries until it is cancelled.
            for await state in states where state != .idle && state != .connecting {
                #expect(state != .connected)
                break
            }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(publisher.connectionState == .shutDown)
        await #expect(throws: BrokerError.shutDown) { try await publisher.publish(message, timeout: .seconds(1)) }
        await #expect(throws: BrokerError.alreadyStarted) { try await publisher.run() }
    }
}
