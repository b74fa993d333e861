import Foundation
import Messages
import Store
import TestSupport
import Testing

@testable import Conductor

/// Forged and oversized messages on the conductor's queue (issue 15): each is dead-lettered with
/// its reason before it is decoded or recorded, and the conductor records the next good one.
@Suite("Conductor hostile messages (RabbitMQ, PostgreSQL)", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct HostileMessageTests {
    /// A heartbeat as an agent sends it, as JSON text to forge from.
    static func heartbeatJSON(agent: ObjectID, host: ObjectID) -> String {
        MessageCodec.encodeString(HeartbeatMessage(
            agent: Object(type: .agentComputeKVM, id: agent, desiredState: "alived", hostID: host,
                          capacity: Capacity(vcpus: 4, memory: Size(8, .gb))),
            intervalSeconds: 10, sentAt: Date()), format: .json)
    }

    @Test func forgedAndOversizedMessagesAreDeadLetteredAndTheConductorCarriesOn() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
            let harness = try ConductorHarness(store: store)
            let (negative, slow, host) = (ObjectID(), ObjectID(), ObjectID())
            let forgedCapacity = Self.heartbeatJSON(agent: negative, host: host)
                .replacingOccurrences(of: #""vcpus":4"#, with: #""vcpus":-9223372036854775808"#)
            let forgedInterval = Self.heartbeatJSON(agent: slow, host: host)
                .replacingOccurrences(of: #""interval_seconds":10"#, with: #""interval_seconds":9223372036854775807"#)
            precondition(forgedCapacity.contains("-9223372036854775808") && forgedInterval.contains("9223372036854775807"))
            let oversized = #"{"spec_id": 1, "padding": ""# + String(repeating: "a", count: 9 << 20) + #""}"#
            let deep = HostileDocuments.deepJSON(100_000)
            try await harness.run(configuration: ConductorIntegrationTests.quick) {
                try await harness.publishRaw(type: "Heartbeat", body: forgedCapacity)
                try await harness.publishRaw(type: "Heartbeat", body: forgedInterval)
                try await harness.publishRaw(type: "Notify", body: oversized)
                try await harness.publishRaw(type: "Notify", body: deep)
                try await harness.waitForHandled(4, "the forged messages")
                try await harness.publish(try scenario.notify(.volume))
                try await harness.waitForHandled(5, "a good message after them")
            }
            let reasons = harness.handled.compactMap { delivery -> String? in
                if case .deadLettered(let reason) = delivery.outcome { reason } else { nil }
            }
            #expect(reasons.count == 4, "\(reasons)")
            for expected in [
                "undecodable Heartbeat: capacity.vcpus: -9223372036854775808 is out of bounds; expected 0 to 65536",
                "undecodable Heartbeat: interval_seconds: 9223372036854775807 is out of bounds; expected 1 to 3600 seconds",
                "undecodable Notify: the document is larger than 8388608 bytes",
                "undecodable Notify: line 1, column 351: mappings and lists nest deeper than 64 levels",
            ] {
                #expect(reasons.contains(expected), "'\(expected)' not in \(reasons)")
            }
            #expect(harness.handled.last?.outcome == .applied(versionApplied: false))
            // Nothing of the forged agents was registered.
            #expect(try await store.node(negative.uuid) == nil)
            #expect(try await store.node(slow.uuid) == nil)
        }
    }
}
