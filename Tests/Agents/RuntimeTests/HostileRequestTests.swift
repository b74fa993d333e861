import AgentRuntime
import Broker
import Clients
import Foundation
import Logging
import MessageHandling
import Messages
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@testable import AgentRuntime

/// Oversized and deeply nested messages on an agent's queue (issue 15) are dead-lettered with
/// their reason without being read further; the agent serves the next request.
@Suite("Agent hostile messages")
struct HostileRequestTests {
    static let oversized = #"{"spec_id": 1, "object": {"id": "d99163ed-0093-40a0-a61b-365a1aece509", "name": ""#
        + String(repeating: "a", count: 9 << 20) + #""}}"#

    @Test func oversizedAndDeepMessagesAreNotReadFurther() {
        for (type, body, reason) in [
            ("Request", Self.oversized, "undecodable Request: the document is larger than 8388608 bytes"),
            ("Request", HostileDocuments.deepJSON(100_000), "undecodable Request: line 1, column 351: mappings and lists nest deeper"),
            ("Notify", HostileDocuments.deepJSON(100_000), "undecodable Notify: line 1, column 351: mappings and lists nest deeper"),
        ] {
            let message = IncomingMessage.classify(Envelope(body: Array(body.utf8), properties: MessageProperties(type: type),
                                                            redelivered: false))
            guard case .deadLetter(let actual) = message else {
                Issue.record("\(type) \(body.prefix(40)) should be dead-lettered, not \(String(describing: message).prefix(200))")
                continue
            }
            #expect(actual.hasPrefix(reason), "\(actual)")
        }
    }

    @Test(.enabled(if: IntegrationEnvironment.hasBroker))
    func theyAreDeadLetteredWithTheirReasonAndTheAgentKeepsServing() async throws {
        let virtualHost = try await ScratchVirtualHost.create(base: try IntegrationEnvironment.requireBroker())
        defer { virtualHost.delete() }
        try await AgentHarness.with(virtualHost: virtualHost) { harness in
            let driver = FakeDriver(.agentVolumerFile)
            let agent = try harness.start(driver)
            let good = ObjectID()
            try await harness.sendRaw(type: "Request", body: Self.oversized)
            try await harness.sendRaw(type: "Request", body: HostileDocuments.deepJSON(100_000))
            try await harness.sendRaw(type: "Request", body: #"{"spec_id": 7, "object": {"type": "resource/volume/file", "id": "\#(good)", "#
                + #""status": "allocated", "size": "1gb"}}"#)
            let served = try #require(try await harness.waitForNotifies(about: good).first)
            #expect(served.level == .success)
            #expect(driver.applied.map(\.id) == [good], "nothing was made for the hostile messages")
            let reasons = try await Self.deadLetterReasons(in: virtualHost, count: 2)
            #expect(reasons.contains("undecodable Request: the document is larger than 8388608 bytes"), "\(reasons)")
            #expect(reasons.contains { $0.hasPrefix("undecodable Request: line 1, column 351: mappings and lists nest deeper than 64") },
                    "\(reasons)")
            try await agent.stopGracefully()
        }
    }

    /// The reasons of the first `count` messages in the virtual host's dead-letter queue.
    static func deadLetterReasons(in virtualHost: ScratchVirtualHost, count: Int) async throws -> [String] {
        let logger = Logger(label: "n0core.agent.tests.dead-letters")
        let broker = IntegrationEnvironment.brokerConfiguration(url: virtualHost.url)
        let publisher = Publisher(configuration: broker, logger: logger)
        let consumer = Consumer(configuration: broker, queue: Topology.deadLetterQueue, deadLetterPublisher: publisher, logger: logger)
        let reasons = Reasons()
        let group = ServiceGroup(services: [publisher, consumer], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                for try await delivery in consumer {
                    reasons.append(delivery.properties.headers[Delivery.deadLetterReasonHeader] ?? "")
                    try await delivery.ack()
                }
            }
            defer { tasks.cancelAll() }
            try await waitUntil("\(count) dead letters", within: .seconds(30)) { reasons.all.count >= count }
            await group.triggerGracefulShutdown()
            return reasons.all
        }
    }
}

/// Dead-letter reasons as they arrive.
private final class Reasons: Sendable {
    private let log = Mutex<[String]>([])
    func append(_ reason: String) { log.withLock { $0.append(reason) } }
    var all: [String] { log.withLock { $0 } }
}
