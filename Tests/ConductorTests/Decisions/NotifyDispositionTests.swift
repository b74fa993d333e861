import Messages
import Testing

@testable import Conductor

@Suite("What a result means")
struct NotifyDispositionTests {
    let agent = ObjectID()

    func decide(
        _ level: NotifyLevel, message: String = "msg", agent: ObjectID? = nil, avoided: Set<ObjectID> = [],
        reported: String? = "running", desired: String? = "running", state: ObjectStatus.State? = .scheduled
    ) -> NotifyDisposition {
        NotifyDisposition.decide(
            level: level, message: message, agent: agent ?? self.agent, avoidedAgents: avoided,
            reportedDesiredState: reported, desiredState: desired, state: state)
    }

    @Test func successAppliesAndErrorFails() {
        #expect(decide(.success) == .apply(alreadyApplied: false))
        #expect(decide(.success, state: .applied) == .apply(alreadyApplied: true))
        #expect(decide(.error, message: " disk full \n") == .fail(reason: "disk full"))
        #expect(decide(.error, message: "") == .fail(reason: "the agent reported an error without a message"))
    }

    @Test func deletionsCountLikeAnyOtherDesiredState() {
        #expect(decide(.success, reported: "deleted", desired: "deleted") == .apply(alreadyApplied: false))
    }

    @Test func progressDecidesNothing() {
        #expect(decide(.info) == .progress)
        #expect(decide(.warning, avoided: [agent]) == .progress)
    }

    @Test func lateResultsAreIgnored() {
        guard case .ignore = decide(.success, avoided: [agent]) else { Issue.record("avoided agent"); return }
        guard case .ignore = decide(.error, avoided: [agent]) else { Issue.record("avoided agent"); return }
        guard case .ignore = decide(.success, reported: "running", desired: "deleted") else { Issue.record("overtaken"); return }
        guard case .ignore = decide(.error, state: .failed) else { Issue.record("already failed"); return }
    }

    /// A removal can only be done where the object is: the agent it failed on before is the one
    /// that must report it.
    @Test func aRemovalByAnAgentTheObjectFailedOnCounts() {
        #expect(decide(.success, avoided: [agent], reported: "deleted", desired: "deleted") == .apply(alreadyApplied: false))
        #expect(decide(.error, message: "busy", avoided: [agent], reported: "deleted", desired: "deleted") == .fail(reason: "busy"))
    }

    @Test func aResultWithoutDesiredStateStillCounts() {
        #expect(decide(.success, reported: nil) == .apply(alreadyApplied: false))
        #expect(decide(.success, state: nil) == .apply(alreadyApplied: false))
    }
}
