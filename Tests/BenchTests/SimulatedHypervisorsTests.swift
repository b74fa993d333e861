import AgentRuntime
import Messages
import SimulatedHypervisors
import Testing

@Suite("Simulated hypervisors")
struct SimulatedHypervisorsTests {
    let volumeID = ObjectID("d99163ed-0093-40a0-a61b-365a1aece509")!
    let networkID = ObjectID("8451da31-5e3a-4c46-aa3a-2a557382a6cd")!

    @Test("a volume gets a simulated url and is recorded, not created")
    func volume() async throws {
        let driver = SimulatedDriver(agentType: .agentVolumerFile)
        let volume = Object(type: .volumeFile, id: volumeID, desiredState: "allocated", size: Size(10, .gb))
        try driver.validate(volume)
        let outcome = try await driver.apply(volume)
        #expect(outcome.object.url == "file:///simulated/d99163ed-0093-40a0-a61b-365a1aece509")
        #expect(driver.recorded == [outcome.object])
        #expect(try await driver.inventory() == [outcome.object])
    }

    @Test("a network gets the bridge name the real porter would use")
    func network() async throws {
        let driver = SimulatedDriver(agentType: .agentPorterVLAN)
        let outcome = try await driver.apply(Object(type: .networkVLAN, id: networkID, desiredState: "applied"))
        #expect(outcome.object.bridge == "br-8451da315e3a")
        #expect(outcome.object.bridge?.count == 15)
    }

    @Test("applying again is idempotent; deleting removes the record")
    func idempotentAndRemoval() async throws {
        let driver = SimulatedDriver(agentType: .agentVolumerFile)
        let volume = Object(type: .volumeFile, id: volumeID, desiredState: "allocated", size: Size(10, .gb))
        let first = try await driver.apply(volume)
        let second = try await driver.apply(volume)
        #expect(first == second)
        #expect(driver.recorded.count == 1)
        var deleted = volume
        deleted.desiredState = "deleted"
        try driver.validate(deleted)
        _ = try await driver.apply(deleted)
        #expect(driver.recorded.isEmpty)
    }

    @Test("validation refuses what the real drivers refuse: a volume without size, a VM without vcpus or memory")
    func validation() {
        let driver = SimulatedDriver(agentType: .agentVolumerFile)
        #expect(throws: AgentFailure.self) { try driver.validate(Object(type: .volumeFile, id: volumeID)) }
        #expect(throws: AgentFailure.self) {
            try driver.validate(Object(type: .volumeFile, id: volumeID, size: Size(bytes: 1_000)))
        }
        let compute = SimulatedDriver(agentType: .agentComputeKVM)
        let vmID = ObjectID()
        #expect(throws: AgentFailure.self) { try compute.validate(Object(type: .vmKVM, id: vmID, memory: Size(4, .gb))) }
        #expect(throws: AgentFailure.self) { try compute.validate(Object(type: .vmKVM, id: vmID, vcpus: 2)) }
        #expect(throws: Never.self) { try compute.validate(Object(type: .vmKVM, id: vmID, vcpus: 2, memory: Size(4, .gb))) }
    }

    @Test("capacity is reported per kind, as the real agents report it")
    func capacity() async throws {
        let capacity = SimulatedCapacity(vcpus: 8, memory: Size(32, .gb), disk: Size(2, .tb))
        #expect(try await SimulatedDriver(agentType: .agentComputeKVM, capacity: capacity).capacity()
            == Capacity(vcpus: 8, memory: Size(32, .gb)))
        #expect(try await SimulatedDriver(agentType: .agentVolumerFile, capacity: capacity).capacity()
            == Capacity(disk: Size(2, .tb)))
        #expect(try await SimulatedDriver(agentType: .agentPorterVLAN, capacity: capacity).capacity() == nil)
        #expect(try await SimulatedDriver(agentType: .agentComputeKVM).capacity()
            == Capacity(vcpus: 64, memory: Size(256, .gb)))
    }

    @Test("a fleet is three agents per host with repeatable, distinct ids and state directories")
    func fleet() {
        let plans = SimulatedAgentPlan.fleet(hosts: 2, firstHost: 41, stateRoot: "/tmp/sim/")
        #expect(plans.count == 6)
        #expect(Set(plans.map(\.agentID)).count == 6)
        #expect(Set(plans.map(\.stateDirectory)).count == 6)
        #expect(plans.map(\.agentType) == SimulatedAgentPlan.kinds + SimulatedAgentPlan.kinds)
        #expect(plans[0].hostID == ObjectID("5147b057-0000-4000-8000-000000000029"))
        #expect(plans[0].agentID == ObjectID("5147a9e0-0001-4000-8000-000000000029"))
        #expect(plans[5].agentID == ObjectID("5147a9e0-0003-4000-8000-00000000002a"))
        #expect(plans[0..<3].allSatisfy { $0.hostID == plans[0].hostID })
        #expect(plans[3].hostID != plans[0].hostID)
        #expect(plans[1].stateDirectory == "/tmp/sim/host-41/volumer-file")
        #expect(SimulatedAgentPlan.fleet(hosts: 2, firstHost: 41, stateRoot: "/tmp/sim") == plans)
    }
}
