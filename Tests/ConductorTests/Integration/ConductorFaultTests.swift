import Broker
import Clients
import Foundation
import Messages
import Store
import Synchronization
import TestSupport
import Testing

@testable import Conductor

/// The conductor under the issue's faults: it judges nobody by its own deafness, fences off
/// results of abandoned attempts, and lets agents' progress reports move its deadlines on.
@Suite("Conductor under faults (RabbitMQ, PostgreSQL)", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct ConductorFaultTests {
    static let quick = ConductorConfiguration(
        maxAttempts: 3, applyDeadline: .seconds(300), sweepInterval: .milliseconds(100), concurrency: 8,
        leaseGrace: .milliseconds(200), catchUpLimit: .seconds(1))

    /// The agents' heartbeat interval in these tests: long enough that a loaded machine's
    /// scheduling delays are not three intervals of silence.
    static let interval = 2

    /// Publishes the three agents' heartbeats every half second until cancelled.
    static func heartbeats(_ scenario: SeedScenario, to harness: ConductorHarness, silent: SilentAgents) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                for heartbeat in scenario.heartbeats(intervalSeconds: Self.interval) where !silent.ids.withLock({ $0.contains(heartbeat.agent.id!) }) {
                    try? await harness.publish(heartbeat)
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// The issue's broker outage: the conductor's own consumer is cut off for longer than three
    /// heartbeat intervals while the agents keep sending. Before, it declared them all dead
    /// from its own silence; now nobody is dead. An agent that really falls silent afterwards
    /// is still declared dead, once the conductor has heard for three of its intervals.
    @Test func aConductorThatCannotHearDeclaresNobodyDead() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            let harness = try ConductorHarness(store: store)
            let relay = TCPRelay(target: harness.broker.url)
            try relay.start()
            defer { relay.stop() }
            var relayed = harness.broker
            relayed.url = AMQPURL(host: "127.0.0.1", port: relay.port, user: harness.broker.url.user,
                                  password: harness.broker.url.password, vhost: harness.broker.url.vhost)
            relayed.heartbeat = .seconds(2)
            relayed.reconnectBackoff = ReconnectBackoff(initial: .milliseconds(100), maximum: .milliseconds(500))
            let silent = SilentAgents()
            let everDead = SilentAgents()
            try await harness.run(configuration: Self.quick, consumerBroker: relayed) {
                let beats = Self.heartbeats(scenario, to: harness, silent: silent)
                defer { beats.cancel() }
                let watch = Task {
                    while !Task.isCancelled {
                        for agent in [scenario.compute, scenario.volumer, scenario.porter]
                        where (try? await store.node(agent.uuid))??.desiredState == "dead" {
                            everDead.ids.withLock { _ = $0.insert(agent) }
                        }
                        try? await Task.sleep(for: .milliseconds(50))
                    }
                }
                defer { watch.cancel() }
                try await waitUntil("the agents registered") {
                    try await store.node(scenario.porter.uuid)?.desiredState == "alived"
                }
                try await Task.sleep(for: .seconds(4))
                relay.stop()
                // Deaf for four of the agents' 2 s intervals; they keep sending meanwhile.
                try await Task.sleep(for: .seconds(8))
                try relay.start()
                try await Task.sleep(for: .seconds(10))
                #expect(everDead.ids.withLock { $0 }.isEmpty, "agents declared dead from the conductor's own deafness")

                // The control: an agent that really falls silent is found dead.
                silent.ids.withLock { _ = $0.insert(scenario.compute) }
                try await waitUntil("the silent compute agent dead", within: .seconds(25)) {
                    try await store.node(scenario.compute.uuid)?.desiredState == "dead"
                }
                #expect(try await store.node(scenario.volumer.uuid)?.desiredState == "alived")
            }
        }
    }

    /// Fencing: a result of attempt 1 arriving after the VM was placed again (attempt 2) is
    /// recorded as abandoned and changes nothing; attempt 2's result applies the VM.
    @Test func aLateResultOfAnAbandonedAttemptIsRecordedAndChangesNothing() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
            try await scenario.schedule([.vm], in: store)
            let harness = try ConductorHarness(store: store)
            try await harness.run(configuration: Self.quick) {
                var late = try scenario.notify(.vm)
                late.attempt = 1
                try await harness.publish(late)
                try await harness.waitForHandled(1, "the late result")
                var current = try scenario.notify(.vm)
                current.attempt = 2
                try await harness.publish(current)
                try await harness.waitForHandled(2, "the current result")
            }
            let outcomes = harness.handled.map(\.outcome)
            guard case .ignored(let why) = outcomes.first else {
                Issue.record("the late result was not ignored: \(outcomes)")
                return
            }
            #expect(why.contains("abandoned attempt 1"))
            #expect(outcomes.last == .applied(versionApplied: false))
            let events = try await store.events(specID: scenario.specID).filter { $0.objectID == scenario.vm.uuid }
            #expect(events.filter { $0.kind == .abandoned }.count == 1)
            #expect(events.filter { $0.kind == .applied }.count == 1)
        }
    }

    /// Deadlines that add up: an agent that reports progress is not given up on while it works;
    /// once it falls silent the deadline takes it.
    @Test func progressReportsMoveTheDeadlineOn() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            let harness = try ConductorHarness(store: store)
            var configuration = Self.quick
            // Progress every half second for 10 s, twice the deadline; scheduled only once the
            // conductor runs, so its start-up on a loaded machine does not eat the deadline.
            configuration.applyDeadline = .seconds(5)
            try await harness.run(configuration: configuration) {
                try await scenario.schedule([.vm], in: store)
                for _ in 0..<20 {
                    var progress = try scenario.notify(.vm, level: .info, message: "Still applying after 20 s.")
                    progress.attempt = 1
                    try await harness.publish(progress)
                    try await Task.sleep(for: .milliseconds(500))
                }
                #expect(try await store.events(specID: scenario.specID).filter { $0.kind == .rescheduled }.isEmpty,
                        "rescheduled while its agent reported progress")
                try await waitUntil("the silent VM rescheduled", within: .seconds(20)) {
                    try await !store.events(specID: scenario.specID).filter { $0.kind == .rescheduled }.isEmpty
                }
            }
        }
    }
}

/// Agents a test keeps track of (silenced, or seen dead).
final class SilentAgents: Sendable {
    let ids = Mutex<Set<ObjectID>>([])
}
