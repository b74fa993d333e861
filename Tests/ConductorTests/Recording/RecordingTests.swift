import Foundation
import Logging
import Messages
import Store
import Testing

@testable import Conductor

/// The conductor's recording decisions against its repository in memory: what a result, a
/// failure or a silence changes, without a database or a broker.
@Suite struct RecordingTests {
    static let logger = Logger(label: "n0core.conductor.recording.tests")

    /// One spec (id 1, version 0 pending) with two VMs scheduled on `agent` under attempt 1.
    struct World {
        let repository = InMemoryConductorRepository()
        let specID: Int64 = 1
        let vm = ObjectID(), other = ObjectID(), agent = ObjectID()

        init() {
            let (specID, vm, other, agent) = (specID, vm, other, agent)
            repository.withState { state in
                state.specs[specID] = 0
                state.versions[specID] = [0: SpecVersionRecord(
                    specID: specID, version: 0, annotations: "{}", submitted: "{}", resolved: "{}", state: .pending,
                    reason: nil, createdAt: state.now)]
                for id in [vm, other] {
                    let object = Object(type: .vmKVM, id: id, name: "web", desiredState: "running")
                    state.nodes[id.uuid] = GraphNode(
                        id: id.uuid, type: ObjectType.vmKVM.rawValue, name: "web", specID: specID, desiredState: "running",
                        object: MessageCodec.encodeString(object, format: .json))
                    state.scheduled[id.uuid] = [agent.uuid]
                    state.placements[id.uuid] = PlacementRecord(
                        objectID: id.uuid, specID: specID, version: 0, attempt: 1, phase: .scheduled, phaseSince: state.now)
                    state.events.append(Event(id: Int64(state.events.count + 1), specID: specID, version: 0, objectID: id.uuid,
                                              kind: .scheduled, message: "scheduled", createdAt: state.now))
                }
                state.nodes[agent.uuid] = GraphNode(
                    id: agent.uuid, type: ObjectType.agentComputeKVM.rawValue, name: "", desiredState: "alived")
            }
        }

        var recorder: ResultRecorder {
            ResultRecorder(store: repository, failures: FailureRecorder(maxAttempts: 3, logger: RecordingTests.logger),
                           logger: RecordingTests.logger)
        }

        func notify(_ id: ObjectID, _ level: NotifyLevel, attempt: Int? = 1, desiredState: String = "running",
                    message: String = "done") -> NotifyMessage {
            NotifyMessage(specID: specID, message: message, level: level,
                          object: Object(type: .vmKVM, id: id, name: "web", desiredState: desiredState), attempt: attempt)
        }

        func record(_ notify: NotifyMessage, messageID: UUID = UUID()) async throws -> ResultRecorder.Outcome {
            try await recorder.record(notify, messageID: messageID, trace: nil)
        }

        var versionState: SpecState? { repository.withState { $0.versions[specID]?[0]?.state } }
        func events(_ kind: EventKind) -> [Event] { repository.withState { $0.events.filter { $0.kind == kind } } }
        /// The rescheduling `Spec`s sent to the scheduler.
        var reschedulings: [SpecMessage] {
            repository.withState { $0.outbox }.compactMap { try? MessageCodec.decodeWire(SpecMessage.self, from: $0.body) }
        }
    }

    @Test func theLastObjectAppliedAppliesTheVersionAndARepeatChangesNothing() async throws {
        let world = World()
        let repeated = UUID()
        #expect(try await world.record(world.notify(world.vm, .success), messageID: repeated) == .applied(versionApplied: false))
        #expect(try await world.record(world.notify(world.vm, .success), messageID: repeated) == .duplicate)
        #expect(try await world.record(world.notify(world.other, .success)) == .applied(versionApplied: true))
        #expect(world.versionState == .applied)
        #expect(world.events(.applied).count == 3, "two objects and the version")
        #expect(world.repository.withState { $0.placements[world.vm.uuid]?.phase } == .applied)
    }

    @Test func anErrorIsHeldAgainstItsAgent() async throws {
        let world = World()
        #expect(try await world.record(world.notify(world.vm, .error, message: "no space left")) == .rescheduled)
        let spec = try #require(world.reschedulings.first)
        #expect(spec.spec.map(\.id) == [world.vm])
        #expect(spec.annotations?[Annotations.avoidAgents] == .string(world.agent.description))
        #expect(world.repository.withState { $0.placements[world.vm.uuid]?.phase } == .rescheduling)
        #expect(world.versionState == .pending)
    }

    /// Finding 3: a dead agent is not blamed, so a same-host spec can come back to it.
    @Test func aFailureTheAgentDidNotReportIsNotHeldAgainstIt() async throws {
        let world = World()
        let node = try #require(world.repository.withState { $0.nodes[world.vm.uuid] })
        let summary = try await world.repository.transaction { tx in
            try await FailureRecorder(maxAttempts: 3, logger: Self.logger).record(
                [ObjectFailure(node: node, agent: world.agent, reason: "the agent is dead", blamesAgent: false)],
                specID: world.specID, version: 0, trace: nil, in: tx)
        }
        #expect(summary.rescheduled == [world.vm.uuid])
        let spec = try #require(world.reschedulings.first)
        #expect(spec.annotations?[Annotations.avoidAgents] == nil)
        let failure = try #require(world.repository.withState { $0.failures.first })
        #expect(failure.agentID == nil)
        #expect(failure.reason == "on agent \(world.agent): the agent is dead")
    }

    /// Fencing: a result of an attempt the object has moved past is recorded as abandoned and
    /// changes nothing.
    @Test func aLateResultOfAnAbandonedAttemptChangesNothing() async throws {
        let world = World()
        world.repository.withState { $0.placements[world.vm.uuid]?.attempt = 2 }
        guard case .ignored(let why) = try await world.record(world.notify(world.vm, .success, attempt: 1)) else {
            Issue.record("not ignored")
            return
        }
        #expect(why.contains("abandoned attempt 1"))
        #expect(world.events(.abandoned).count == 1)
        #expect(world.events(.applied).isEmpty)
        #expect(world.repository.withState { $0.placements[world.vm.uuid]?.phase } == .scheduled)
    }

    /// Finding 4: a removal is done where the object is, even by an agent it failed on before.
    @Test func aRemovalByTheAgentTheObjectFailedOnCounts() async throws {
        let world = World()
        world.repository.withState { state in
            state.nodes[world.vm.uuid]?.desiredState = "deleted"
            state.failures.append(RecordedFailure(specID: world.specID, version: 0, objectID: world.vm.uuid,
                                                  agentID: world.agent.uuid, reason: "busy"))
        }
        let outcome = try await world.record(world.notify(world.vm, .success, desiredState: "deleted"))
        #expect(outcome == .applied(versionApplied: false))
    }

    @Test func progressMovesTheDeadlineOfTheCurrentAttemptOnly() async throws {
        let world = World()
        let start = world.repository.withState { $0.now }
        world.repository.withState { $0.now = start.addingTimeInterval(60) }
        #expect(try await world.record(world.notify(world.vm, .info, message: "still applying")) == .progress)
        #expect(world.repository.withState { $0.placements[world.vm.uuid]?.phaseSince } == start.addingTimeInterval(60))
        world.repository.withState { $0.now = start.addingTimeInterval(120) }
        #expect(try await world.record(world.notify(world.other, .info, attempt: 7)) == .progress)
        #expect(world.repository.withState { $0.placements[world.other.uuid]?.phaseSince } == start, "another attempt's progress")
    }

    /// An agent is declared dead only after three intervals of silence while the conductor has
    /// been hearing for at least that long.
    @Test func silentAgentsAreDeclaredDeadOnlyWhileTheConductorHears() async throws {
        let world = World()
        let registry = AgentRegistry(store: world.repository, logger: Self.logger)
        let start = world.repository.withState { $0.now }
        try await world.repository.transaction { tx in try await tx.recordHeartbeat(agentID: world.agent.uuid, intervalSeconds: 10) }
        world.repository.withState { $0.now = start.addingTimeInterval(31) }
        #expect(try await registry.markSilentAgentsDead(heardFor: .seconds(20)).isEmpty, "heard for less than three intervals")
        #expect(try await registry.markSilentAgentsDead(heardFor: .seconds(60)) == [world.agent.uuid])
        #expect(world.repository.withState { $0.nodes[world.agent.uuid]?.desiredState } == "dead")
        #expect(try await registry.markSilentAgentsDead(heardFor: .seconds(60)).isEmpty, "already dead")
    }

    /// A transaction that throws leaves nothing behind.
    @Test func aFailedTransactionChangesNothing() async throws {
        let world = World()
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await world.repository.transaction { tx in
                try await tx.appendEvents([Event(specID: world.specID, version: 0, kind: .applied)])
                throw Boom()
            }
        }
        #expect(world.events(.applied).isEmpty)
    }
}
