import Foundation
import Messages
import Metrics
import MetricsTestKit
import Store
import Testing

@testable import Conductor

/// The `n0core_agents` gauge: set from the registry at every sweep, every agent type and state
/// present, also while the conductor cannot hear (it then judges nobody, but still counts).
extension RecordingTests {
    @Test func everySweepCountsTheRegistrysAgentsByTypeAndState() async throws {
        let world = World()
        let metrics = TestMetrics()
        let sweeper = ConductorSweeper(store: world.repository, configuration: ConductorConfiguration(),
                                       hearing: HearingMonitor(gate: nil), gate: nil, logger: Self.logger)
        func gauge(_ type: ObjectType, _ state: String) throws -> Double? {
            try metrics.expectGauge("n0core_agents", [("type", type.rawValue), ("state", state)]).lastValue
        }

        let first = try await withMetricsFactory(metrics) { try await sweeper.sweep() }
        #expect(first.blind != nil, "a conductor that never heard judges nobody")
        #expect(try gauge(.agentComputeKVM, "alived") == 1)
        #expect(try gauge(.agentComputeKVM, "dead") == 0)
        #expect(try gauge(.agentVolumerFile, "alived") == 0, "a type without agents shows zero")
        #expect(try gauge(.agentPorterVLAN, "dead") == 0)

        world.repository.withState { $0.nodes[world.agent.uuid]?.desiredState = "dead" }
        _ = try await withMetricsFactory(metrics) { try await sweeper.sweep() }
        #expect(try gauge(.agentComputeKVM, "alived") == 0, "the last agent of a type died: zero, not its old value")
        #expect(try gauge(.agentComputeKVM, "dead") == 1)
    }
}
