import Broker
import Clients
import Foundation
import Logging
import Messages
import ServiceLifecycle
import Store
import TestSupport
import Testing
import W3CTraceContext

@testable import Conductor

/// The conductor with `conductor.agent_user` on the real broker and database: each hypervisor
/// publishes as its own broker user (made for the test), the broker vouches for `user_id`, and
/// a heartbeat or result from any other user is dead-lettered as forged, changing nothing.
@Suite("Conductor sender check (RabbitMQ, PostgreSQL)", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct ForgedSenderTests {
    @Test func onlyAHostsOwnUserMaySpeakForItsAgents() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            let harness = try ConductorHarness(store: store)
            let template = "n0t-\(UUID().uuidString.prefix(8).lowercased())-hv-\(AgentSenders.placeholder)"
            let senders = try #require(AgentSenders(template: template))
            let hostB = ObjectID()
            let userA = try await ScratchBrokerUser.create(name: senders.user(ofHost: scenario.host), base: harness.broker.url)
            defer { userA.delete() }
            let userB = try await ScratchBrokerUser.create(name: senders.user(ofHost: hostB), base: harness.broker.url)
            defer { userB.delete() }
            let devUser = harness.broker.url.user
            func publisher(_ user: ScratchBrokerUser) -> Publisher {
                Publisher(configuration: IntegrationEnvironment.brokerConfiguration(url: user.url, appID: "n0core-compute-kvm"),
                          topology: Topology().declaringQueue(harness.queue), logger: harness.logger)
            }
            let hypervisorA = publisher(userA)
            let hypervisorB = publisher(userB)
            /// Publishes as `publisher` (the harness's own: the development environment's user) to
            /// the test's conductor queue; returns the message id.
            func send(_ message: OutgoingMessage, as publisher: Publisher) async throws -> String {
                var message = message
                message.routingKey = harness.queue
                try await publisher.publish(message, timeout: .seconds(10))
                return message.messageID
            }
            func heartbeat(_ agent: ObjectID, host: ObjectID) -> OutgoingMessage {
                var beat = scenario.heartbeat(agent, type: .agentComputeKVM, intervalSeconds: 3600)
                beat.agent.hostID = host
                return ConductorClient.heartbeat(beat)
            }

            var configuration = ConductorIntegrationTests.quick
            configuration.agentSenders = senders
            var expected: [String: String] = [:]  // message id → "accepted" or a part of the refusal
            try await harness.run(configuration: configuration) {
                try await withServices([hypervisorA, hypervisorB], logger: harness.logger) {
                    for beat in scenario.heartbeats(intervalSeconds: 3600) {
                        expected[try await send(ConductorClient.heartbeat(beat), as: hypervisorA)] = "accepted"
                    }
                    // Registered first, as agents are long before anyone could learn their ids: the
                    // first heartbeat of an agent decides its host (docs/security.md).
                    try await harness.waitForHandled(expected.count, "the agents' own heartbeats")
                    expected[try await send(heartbeat(scenario.compute, host: scenario.host), as: harness.publisher)] =
                        "published by broker user '\(devUser)', but agents of host \(scenario.host) publish as '\(userA.name)'"
                    expected[try await send(heartbeat(scenario.compute, host: scenario.host), as: hypervisorB)] =
                        "published by broker user '\(userB.name)', but agents of host \(scenario.host)"
                    expected[try await send(heartbeat(scenario.compute, host: hostB), as: hypervisorB)] =
                        "agent \(scenario.compute) is registered on host \(scenario.host); a heartbeat moving it to host \(hostB) is refused"
                    expected[try await send(heartbeat(ObjectID(), host: hostB), as: hypervisorB)] = "accepted"
                    try await harness.waitForHandled(expected.count, "the heartbeats")

                    try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
                    expected[try await send(ConductorClient.notify(try scenario.notify(.volume), trace: nil), as: hypervisorA)] = "accepted"
                    expected[try await send(ConductorClient.notify(try scenario.notify(.network), trace: nil), as: harness.publisher)] =
                        "forged sender: the Notify for object \(scenario.network) from agent \(scenario.porter) was published by broker user '\(devUser)'"
                    expected[try await send(ConductorClient.notify(try scenario.notify(.nic), trace: nil), as: hypervisorB)] =
                        "was published by broker user '\(userB.name)', but agents of host \(scenario.host)"
                    try await harness.waitForHandled(expected.count, "the results")
                }
            }

            let outcomes = Dictionary(harness.handled.compactMap { handled in handled.messageID.map { ($0, handled.outcome) } },
                                      uniquingKeysWith: { first, _ in first })
            for (messageID, expectation) in expected {
                let outcome = try #require(outcomes[messageID], "no outcome for \(messageID) (\(expectation))")
                if expectation == "accepted" {
                    #expect(outcome == .heartbeat || outcome == .applied(versionApplied: false), "\(outcome)")
                } else if case .deadLettered(let reason) = outcome {
                    #expect(reason.contains(expectation), "\(reason)")
                } else {
                    Issue.record("\(messageID) should have been refused (\(expectation)) but was \(outcome)")
                }
            }
            // Nothing a refused message said was recorded.
            let compute = try #require(try await store.node(scenario.compute.uuid))
            #expect(try MessageCodec.decode(Object.self, from: compute.object, format: .json).hostID == scenario.host)
            let events = try await store.events(specID: scenario.specID)
            #expect(Set(events.filter { $0.kind == .applied }.compactMap(\.objectID)) == [scenario.volume.uuid])
        }
    }
}

/// Runs `services` in a service group of their own around `body`.
private func withServices<Result: Sendable>(
    _ services: [any Service], logger: Logger, _ body: () async throws -> Result
) async throws -> Result {
    let group = ServiceGroup(services: services, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: Swift.Result<Result, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        await group.triggerGracefulShutdown()
        try? await tasks.waitForAll()
        return try result.get()
    }
}
