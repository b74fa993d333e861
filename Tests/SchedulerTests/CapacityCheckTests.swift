import Messages
import Scheduler
import Testing

/// The check a plan gets once its agents are locked, against claims other replicas may have
/// committed since the snapshot.
@Suite struct CapacityCheckTests {
    typealias F = Fixtures

    func plan(_ claims: [ObjectID: ObjectClaim], released: [ObjectID] = []) -> PlacementPlan {
        var plan = PlacementPlan()
        plan.claims = claims
        plan.released = released
        return plan
    }

    @Test func aPlanThatStillFitsPasses() {
        let agent = F.compute(ObjectID(), vcpus: 4, memoryGB: 8, claimed: Resources(vcpus: 2, memoryBytes: 4 * F.gb))
        let vm = ObjectID()
        let problems = CapacityCheck.problems(
            plan([vm: ObjectClaim(agentID: agent.id, resources: Resources(vcpus: 2, memoryBytes: 4 * F.gb))]),
            agents: [agent.id: agent], currentClaims: [:])
        #expect(problems.isEmpty)
    }

    @Test func claimsCommittedMeanwhileMakeThePlanStale() {
        let agent = F.compute(ObjectID(), vcpus: 4, memoryGB: 8, claimed: Resources(vcpus: 3, memoryBytes: 4 * F.gb))
        let problems = CapacityCheck.problems(
            plan([ObjectID(): ObjectClaim(agentID: agent.id, resources: Resources(vcpus: 2, memoryBytes: 4 * F.gb))]),
            agents: [agent.id: agent], currentClaims: [:])
        #expect(problems == ["agent \(agent.id) would hold 5 vcpus and 8gb memory of 4 vcpus and 8gb memory"])
    }

    @Test func anObjectsOwnClaimIsNotCountedTwice() {
        // Already over capacity (it reported less since), and the plan only keeps the claim.
        let vm = ObjectID()
        let claim = ObjectClaim(agentID: ObjectID(), resources: Resources(vcpus: 4))
        let agent = F.compute(ObjectID(), vcpus: 2, memoryGB: 8, id: claim.agentID, claimed: Resources(vcpus: 4))
        #expect(CapacityCheck.problems(plan([vm: claim]), agents: [agent.id: agent], currentClaims: [vm: claim]).isEmpty)
    }

    @Test func anAgentThatDiedOrVanishedMeanwhileMakesThePlanStale() {
        let dead = F.compute(ObjectID(), alive: false)
        let (vm, other) = (ObjectID(), ObjectID())
        let gone = ObjectID()
        let problems = CapacityCheck.problems(
            plan([vm: ObjectClaim(agentID: dead.id, resources: Resources(vcpus: 1)),
                  other: ObjectClaim(agentID: gone, resources: Resources(vcpus: 1))]),
            agents: [dead.id: dead], currentClaims: [:])
        #expect(problems.count == 2)
        #expect(problems.contains("agent \(dead.id) for \(vm) is no longer alive"))
        #expect(problems.contains("agent \(gone) for \(other) is no longer registered"))
    }
}
