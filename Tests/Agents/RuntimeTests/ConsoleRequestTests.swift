import AgentRuntime
import Broker
import Clients
import Foundation
import Messages
import ServiceLifecycle
import TestSupport
import Testing

/// `ConsoleRequest`s on an agent's queue: answered by agents without consoles as unsupported,
/// refused (dead-lettered) when they name a reply key that is not one, all without disturbing
/// the agent's work.
@Suite(.enabled(if: IntegrationEnvironment.hasBroker), .serialized)
struct ConsoleRequestTests {
    @Test func anAgentWithoutConsolesSaysSoAndKeepsWorking() async throws {
        try await AgentHarness.with { harness in
            let driver = FakeDriver(.agentVolumerFile)
            let agent = try harness.start(driver)
            let requester = ConsoleRequester(configuration: harness.broker, publisher: harness.publisher, logger: harness.logger)
            let group = ServiceGroup(services: [requester.consumer, requester], logger: harness.logger)
            let task = Task { try await group.run() }
            defer { task.cancel() }
            try await waitUntil("the reply queue is consumed") { requester.consumer.isConnected }

            let error = try await #require(throws: ConsoleFetchError.self) {
                try await requester.fetch(ConsoleFetch(agentID: harness.agentID, vmID: ObjectID(), range: .tail(lines: 5),
                                                       timeout: .seconds(10)))
            }
            guard case .unsupported(let why) = error else { Issue.record("expected unsupported, got \(error)"); return }
            #expect(why.contains("agent/volumer/file"))

            // A request naming another queue to answer on is not answered there: dead-lettered.
            let forged = ConsoleRequestMessage(vmID: ObjectID(), replyTo: ConductorClient.queue, expiresAt: Date() + 30,
                                               range: .tail(lines: 5))
            try await harness.publisher.publish(ConsoleClient.request(forged, to: harness.agentID), timeout: .seconds(10))
            try await Task.sleep(for: .milliseconds(500))
            #expect(harness.received().allSatisfy { $0.properties.type != MessageType.consoleReply.rawValue },
                    "nothing answered on the conductor's queue")

            // The agent still answers (it was not stuck on either).
            let again = try await #require(throws: ConsoleFetchError.self) {
                try await requester.fetch(ConsoleFetch(agentID: harness.agentID, vmID: ObjectID(), range: .from(offset: 0),
                                                       timeout: .seconds(10)))
            }
            #expect({ if case .unsupported = again { true } else { false } }())
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            try await agent.stopGracefully()
        }
    }

    @Test func replyKeysAreOnlyThoseOfAnAPIInstance() {
        let key = ConsoleClient.replyKey(instance: UUID())
        #expect(ConsoleClient.isReplyKey(key))
        #expect(!ConsoleClient.isReplyKey(ConductorClient.queue))
        #expect(!ConsoleClient.isReplyKey("api.reply.#"))
        #expect(!ConsoleClient.isReplyKey("api.reply." + UUID().uuidString))
        #expect(!ConsoleClient.isReplyKey(ObjectID().description))
    }
}
