import Messages
import Scheduler
import Testing

/// The scheduler's capacity arithmetic cannot trap, whatever an agent reported or a message
/// asks for: sums saturate, negative demands are refused with a reason.
@Suite struct CapacityArithmeticTests {
    @Test func sumsAndDifferencesSaturateInsteadOfTrapping() {
        let most = Resources(vcpus: .max, memoryBytes: .max, diskBytes: .max)
        let least = Resources(vcpus: .min, memoryBytes: .min, diskBytes: .min)
        let one = Resources(vcpus: 1, memoryBytes: 1, diskBytes: 1)
        #expect(most + one == most)
        #expect(least - one == least)
        #expect(least + one == Resources(vcpus: .min + 1, memoryBytes: .min + 1, diskBytes: .min + 1))
        #expect(one - least == most)
        #expect(RegisteredAgent(id: ObjectID(), type: .agentComputeKVM, hostID: ObjectID(), alive: true,
                                capacity: least, claimed: most).free == least)
    }

    @Test func aNegativeReportedCapacityOffersNothing() {
        #expect(Resources(capacity: Capacity(vcpus: .min, memory: Size(bytes: .max))) == Resources(vcpus: 0, memoryBytes: .max))
    }

    /// The forged heartbeat of issue 15 (`vcpus: -9223372036854775808`), had it reached the
    /// registry, and claims at the other end: placement answers, it does not trap.
    @Test func placementOnAnAbsurdAgentAnswers() {
        let host = ObjectID()
        let forged = RegisteredAgent(id: ObjectID(), type: .agentComputeKVM, hostID: host, alive: true,
                                     capacity: Resources(vcpus: .min, memoryBytes: .min), claimed: Resources(vcpus: .max, memoryBytes: .max))
        let result = Fixtures.place([Fixtures.vm()], on: [forged, Fixtures.volumer(host), Fixtures.porter(host)])
        #expect(result.failure?.summary.contains("no alive agent/compute/kvm with 2 vcpus and 4gb memory free") == true,
                "\(String(describing: result.failure))")
        let placed = Fixtures.place([Fixtures.vm()], on: [forged] + Fixtures.host(ObjectID()))
        #expect((try? placed.get())?.assignments.count == 1)
    }

    @Test func aNegativeDemandIsRefusedWithItsReason() throws {
        let vm = Fixtures.vm(vcpus: .min)
        let failure = try #require(Fixtures.place([vm], on: Fixtures.host(ObjectID())).failure)
        #expect(failure.reasons[vm.id!]?.contains("asks for a negative amount (vcpus -9223372036854775808") == true,
                "\(failure.summary)")
    }
}
