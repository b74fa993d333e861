import Bench
import Foundation
import Testing

@Suite("Chaos outcome checker")
struct OutcomeCheckerTests {
    let agentA = "5147a9e0-0001-4000-8000-000000000000"
    let agentB = "5147a9e0-0001-4000-8000-000000000001"
    let vm = "56410722-d507-472a-a800-c89211b7c261"
    let volume = "d99163ed-0093-40a0-a61b-365a1aece509"

    /// One spec applied on agent A, one spec deleted, everything clean.
    var clean: ChaosObservations {
        ChaosObservations(
            accepted: [AcceptedVersion(specID: 1, version: 0, kind: .create),
                       AcceptedVersion(specID: 2, version: 0, kind: .create),
                       AcceptedVersion(specID: 2, version: 1, kind: .delete)],
            versions: [VersionRow(specID: 1, version: 0, state: "applied", latest: true),
                       VersionRow(specID: 2, version: 0, state: "applied", latest: false),
                       VersionRow(specID: 2, version: 1, state: "applied", latest: true)],
            nodes: [NodeRow(id: vm, type: "resource/vm/kvm", specID: 1, desiredState: "running", observedState: "APPLIED",
                            scheduledAgent: agentA),
                    NodeRow(id: volume, type: "resource/volume/file", specID: 2, desiredState: "deleted",
                            observedState: "APPLIED", scheduledAgent: agentB)],
            held: [HeldRecord(agentID: agentA, objectID: vm, specID: 1, attempt: 1),
                   HeldRecord(agentID: agentB, objectID: volume, specID: 2, attempt: 1, removed: true)],
            deadLetters: [DeadLetterRecord(messageID: "p1", type: "Spec", reason: "undecodable", queue: "scheduler")],
            poisonIDs: ["p1"],
            services: [ServiceLiveness(name: "api", pid: 1, running: true)])
    }

    @Test("a clean run passes every check")
    func cleanPasses() {
        let outcome = OutcomeChecker.evaluate(clean)
        #expect(outcome.passed, "\(outcome.checks.filter { !$0.passed })")
        #expect(outcome.specsAccepted == 2)
        #expect(outcome.deletesAccepted == 1)
        #expect(outcome.count.applied == 3)
        #expect(outcome.heldObjectsLive == 1)
        #expect(outcome.heldTombstones == 1)
        #expect(outcome.poisonDeadLettered == 1)
        #expect(outcome.storedWithoutAnswer.isEmpty)
    }

    @Test("failed and pending versions fail the run, with reasons grouped across objects")
    func failedAndPending() {
        var o = clean
        o.accepted += [AcceptedVersion(specID: 3, version: 0, kind: .create), AcceptedVersion(specID: 4, version: 0, kind: .create),
                       AcceptedVersion(specID: 5, version: 0, kind: .create)]
        o.versions += [
            VersionRow(specID: 3, version: 0, state: "failed",
                       reason: "scheduling failed: no alive agent for 11111111-2222-4333-8444-555555555555"),
            VersionRow(specID: 4, version: 0, state: "failed",
                       reason: "scheduling failed: no alive agent for 66666666-2222-4333-8444-555555555555"),
            VersionRow(specID: 5, version: 0, state: "pending"),
        ]
        let outcome = OutcomeChecker.evaluate(o)
        #expect(!outcome.passed)
        #expect(outcome.count.failed == 2)
        #expect(outcome.pendingCount == 1)
        #expect(outcome.failureReasons == [ReasonCount(reason: "scheduling failed: no alive agent for <id>", count: 2, specIDs: [3, 4])])
        let failing = Set(outcome.checks.filter { !$0.passed }.map(\.name))
        #expect(failing == ["versions failed", "versions pending"])
    }

    @Test("an accepted version the database does not have is lost")
    func missingVersion() {
        var o = clean
        o.accepted.append(AcceptedVersion(specID: 9, version: 0, kind: .create))
        let outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.missingVersions == [AcceptedVersion(specID: 9, version: 0, kind: .create)])
        #expect(!outcome.passed)
    }

    @Test("a spec stored without a 201 is reported, and must settle like the others")
    func storedWithoutAnswer() {
        var o = clean
        o.versions.append(VersionRow(specID: 7, version: 0, state: "applied"))
        var outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.storedWithoutAnswer == [7])
        #expect(outcome.passed)
        o.versions[o.versions.count - 1].state = "pending"
        outcome = OutcomeChecker.evaluate(o)
        #expect(!outcome.passed)
    }

    @Test("an object live on two agents is a duplicate; a tombstone on the second is not")
    func duplicates() {
        var o = clean
        o.held.append(HeldRecord(agentID: agentB, objectID: vm, specID: 1, attempt: 2, removed: true))
        #expect(OutcomeChecker.evaluate(o).duplicates.isEmpty)
        o.held[o.held.count - 1].removed = false
        let outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.duplicates == [DuplicateHolding(objectID: vm, agents: [agentA, agentB], attempts: [1, 2], placedOn: agentA)])
        #expect(outcome.checks.first { $0.name == "objects held by two agents" }?.passed == false)
        // The second holder is reported once, as a duplicate, not also as a stray.
        #expect(outcome.strays.isEmpty)
    }

    @Test("a deleted object still held, a stray and an unheld applied object are each caught")
    func heldAgainstGraph() {
        var o = clean
        o.held[1].removed = false  // the deleted volume is still live on agent B
        var outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.deletedButHeld.map(\.objectID) == [volume])
        #expect(!outcome.passed)

        o = clean
        o.held[0].agentID = agentB  // the VM is held by B but placed on A
        outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.strays == [StrayHolding(objectID: vm, heldBy: agentB, placedOn: agentA, inGraph: true)])

        o = clean
        o.held.append(HeldRecord(agentID: agentA, objectID: "0d0d0d0d-0000-4000-8000-000000000000"))
        outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.strays.map(\.inGraph) == [false])

        o = clean
        o.held.removeFirst()  // the applied VM is held by nobody
        outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.appliedNotHeldCount == 1)
        #expect(outcome.appliedNotHeld.map(\.id) == [vm])
        #expect(!outcome.passed)
    }

    @Test("an unheld object of a spec that is not applied is not counted (it may have failed or be pending)")
    func unheldOfUnsettledSpec() {
        var o = clean
        o.held.removeFirst()
        o.versions[0].state = "failed"
        let outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.appliedNotHeldCount == 0)
    }

    @Test("claims of deleted objects fail the run")
    func claims() {
        var o = clean
        o.suspiciousClaims = [ClaimRow(objectID: volume, agentID: agentB, specID: 2, desiredState: "deleted")]
        let outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.checks.first { $0.name.hasPrefix("claims") }?.passed == false)
    }

    @Test("dead letters: poison is expected; anything else is valid work dead-lettered; missing poison is reported")
    func deadLetters() {
        var o = clean
        o.poisonIDs = ["P1", "p2"]
        o.deadLetters = [
            DeadLetterRecord(messageID: "p1", type: "Spec", reason: "undecodable body", queue: "scheduler"),
            DeadLetterRecord(messageID: "real-work", type: "Notify", reason: "scheduling failed 3 times", queue: "conductor"),
            DeadLetterRecord(messageID: nil, type: nil, reason: nil, queue: nil, brokerReason: "delivery_limit"),
        ]
        let outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.poisonDeadLettered == 1)
        #expect(outcome.poisonPublished == 2)
        #expect(outcome.unexpectedDeadLetters.map(\.messageID) == ["real-work", nil])
        let failing = Set(outcome.checks.filter { !$0.passed }.map(\.name))
        #expect(failing == ["valid work dead-lettered", "poison messages dead-lettered"])
    }

    @Test("poison moved by the broker without a reason header is counted")
    func poisonWithoutReason() {
        var o = clean
        o.deadLetters = [DeadLetterRecord(messageID: "p1", type: "Spec", reason: nil, queue: "scheduler", brokerReason: "rejected")]
        #expect(OutcomeChecker.evaluate(o).poisonWithoutReason == 1)
    }

    @Test("a service that is no longer running fails the run")
    func servicesDown() {
        var o = clean
        o.services.append(ServiceLiveness(name: "scheduler-2", pid: 42, running: false))
        let outcome = OutcomeChecker.evaluate(o)
        #expect(outcome.servicesDown == ["scheduler-2"])
        #expect(!outcome.passed)
    }

    @Test("reasons are grouped by their text without ids, and folded")
    func normalizedReason() {
        #expect(OutcomeChecker.normalizedReason(nil) == "(no reason recorded)")
        #expect(OutcomeChecker.normalizedReason("agent 5147A9E0-0001-4000-8000-000000000000\n  is dead")
            == "agent <id> is dead")
    }
}
