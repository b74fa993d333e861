import AgentRuntime
import Foundation
import Messages
import Scheduler
import Testing

/// Overcommit end to end in the pure parts: the compute agent's heartbeat carries its host
/// through the allocation ratios (``AgentRuntime/Allocation``), and the scheduler places by
/// that figure, less what it has already claimed there.
@Suite struct OvercommitPlacementTests {
    /// The demo hypervisor: 2 cores and 24 GiB, through the compute agent's defaults but for
    /// the CPU ratio.
    static func demoHost(cpuRatio: Double, claimed: Resources = .zero) throws -> [RegisteredAgent] {
        let host = ObjectID()
        let offered = Allocation(cpuRatio: cpuRatio, memoryRatio: 1, reservedMemory: Size(512, .mb))
            .allocatable(Capacity(vcpus: 2, memory: Size(24, .gb)))
        // As the heartbeat carries it to the registry.
        let heartbeat = HeartbeatMessage(
            agent: Object(type: .agentComputeKVM, id: ObjectID(), desiredState: "alived", hostID: host, capacity: offered),
            intervalSeconds: 10, sentAt: Date())
        let received = try MessageCodec.decode(HeartbeatMessage.self,
                                               from: MessageCodec.encodeString(heartbeat, format: .json), format: .json)
        let compute = RegisteredAgent(id: received.agent.id!, type: .agentComputeKVM, hostID: host, alive: true,
                                      capacity: Resources(capacity: received.agent.capacity), claimed: claimed)
        return [compute, Fixtures.volumer(host), Fixtures.porter(host)]
    }

    @Test func twoTwoVCPUVMsFitOneTwoCoreHostAtRatioFour() throws {
        let agents = try Self.demoHost(cpuRatio: 4)
        #expect(agents[0].capacity.vcpus == 8)
        let plan = try Fixtures.place([Fixtures.vm(), Fixtures.vm()], on: agents).get()
        #expect(plan.assignments.count == 2)
        #expect(Set(plan.assignments.map(\.agentID)) == [agents[0].id], "both on the one compute agent")

        // The same as two specs: the first one's claim stands, the second still fits.
        let afterOne = try Self.demoHost(cpuRatio: 4, claimed: Resources(vcpus: 2, memoryBytes: 4 * Fixtures.gb))
        #expect(try Fixtures.place([Fixtures.vm()], on: afterOne).get().assignments.count == 1)
    }

    @Test func atRatioOneTheSecondIsRefusedWithTheReason() throws {
        let agents = try Self.demoHost(cpuRatio: 1)
        #expect(try Fixtures.place([Fixtures.vm()], on: agents).get().assignments.count == 1)
        let failure = try #require(Fixtures.place([Fixtures.vm(), Fixtures.vm()], on: agents).failure)
        #expect(failure.summary.contains("no alive agent/compute/kvm with 2 vcpus and 4gb memory free"), "\(failure.summary)")

        let afterOne = try Self.demoHost(cpuRatio: 1, claimed: Resources(vcpus: 2, memoryBytes: 4 * Fixtures.gb))
        let refused = try #require(Fixtures.place([Fixtures.vm()], on: afterOne).failure)
        #expect(refused.summary.contains("no alive agent/compute/kvm with 2 vcpus and 4gb memory free"), "\(refused.summary)")
        #expect(refused.summary.contains("the one with the most free has 0 vcpus"), "\(refused.summary)")
    }
}
