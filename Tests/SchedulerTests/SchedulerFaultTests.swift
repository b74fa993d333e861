import API
import Broker
import Clients
import Foundation
import Messages
import Scheduler
import Store
import TestSupport
import Testing

/// What the scheduler does when the cloud is not ready for a spec, or messages arrive out of
/// order: nothing fails for a fault that heals, nothing stale is placed, and an object moved off
/// an agent is removed there.
@Suite("Scheduler under faults (RabbitMQ and PostgreSQL)", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct SchedulerFaultTests {
    static func vmWithVolume(vcpus: Int = 2) throws -> SpecDocument {
        try Fixtures.vmWithVolumeDocument(vcpus: vcpus)
    }

    /// The hung hypervisors: every agent dead (silent) when the spec arrives. It waits
    /// with the reason, and is placed once the agents are back, not failed.
    @Test func aSpecWaitsWhileItsAgentsAreDeadAndIsPlacedWhenTheyAreBack() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let harness = SchedulerHarness(store: store, agents: Fixtures.host(ObjectID()))
            try await harness.register(state: "dead")
            let spec = try await harness.storeSpec(try Self.vmWithVolume())
            let requests = try await harness.run { publisher, inbox in
                try await publisher.publish(harness.outgoing(spec), timeout: .seconds(10))
                try await waitUntil("the spec waiting") {
                    try await IntegrationEnvironment.count("deferred_specs", in: store) == 1
                }
                #expect(try await store.specVersion(spec.id, version: 0)?.state == .pending)
                let waiting = try await store.events(specID: spec.id).filter { $0.kind == .waiting }
                #expect(waiting.count == 2)
                #expect(waiting.allSatisfy { $0.message.hasPrefix("waiting for room: no alive agent/") }, "\(waiting.map(\.message))")
                #expect(inbox.requests(specID: spec.id).isEmpty)

                try await harness.register(state: "alived")
                try await waitUntil("both requests", within: .seconds(20)) { inbox.requests(specID: spec.id).count >= 2 }
                return inbox.requests(specID: spec.id)
            }
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { $0.request.attempt == 1 })
            #expect(try await IntegrationEnvironment.count("deferred_specs", in: store) == 0)
            #expect(try await store.specVersion(spec.id, version: 0)?.state == .pending, "placed, waiting for its agents")
            #expect(try await store.events(specID: spec.id).filter { $0.kind == .scheduled }.count == 2)
            #expect(try await store.events(specID: spec.id).filter { $0.kind == .failed }.isEmpty)
        }
    }

    @Test func aSpecBiggerThanAnyHostFailsAtOnce() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let harness = SchedulerHarness(store: store, agents: Fixtures.host(ObjectID(), vcpus: 16))
            try await harness.register()
            let spec = try await harness.storeSpec(try Self.vmWithVolume(vcpus: 64))
            try await harness.run { publisher, _ in
                try await publisher.publish(harness.outgoing(spec), timeout: .seconds(10))
                try await waitUntil("the spec failed") { try await store.specVersion(spec.id, version: 0)?.state == .failed }
            }
            let reason = try #require(try await store.specVersion(spec.id, version: 0)?.reason)
            #expect(reason.contains("64 vcpus"), "\(reason)")
            #expect(try await IntegrationEnvironment.count("deferred_specs", in: store) == 0)
        }
    }

    @Test func aSpecThatWaitsPastThePlacementDeadlineFailsWithTheReason() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let harness = SchedulerHarness(store: store, agents: Fixtures.host(ObjectID()))
            try await harness.register(state: "dead")
            let spec = try await harness.storeSpec(try Self.vmWithVolume())
            try await harness.run(placementDeadlineSeconds: 2) { publisher, _ in
                try await publisher.publish(harness.outgoing(spec), timeout: .seconds(10))
                try await waitUntil("the spec failed", within: .seconds(20)) {
                    try await store.specVersion(spec.id, version: 0)?.state == .failed
                }
            }
            let reason = try #require(try await store.specVersion(spec.id, version: 0)?.reason)
            #expect(reason.contains("could not be placed within 2 s: no alive agent/"), "\(reason)")
            #expect(try await IntegrationEnvironment.count("deferred_specs", in: store) == 0)
        }
    }

    /// The ordering finding: a `DELETE` right after a `POST` can reach the scheduler
    /// first. The deletion is done (nothing was placed), and the older `Spec` arriving later
    /// places nothing.
    @Test func aDeleteScheduledBeforeThePostItFollowsResurrectsNothing() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let harness = SchedulerHarness(store: store, agents: Fixtures.host(ObjectID()))
            try await harness.register()
            let created = try await harness.storeSpec(try Self.vmWithVolume())
            let deleted = try await harness.storeVersion(of: created, version: 1, objects: created.spec.map { object in
                var object = object
                object.desiredState = "deleted"
                return object
            })
            #expect(try await store.specVersion(created.id, version: 0)?.state == .superseded)
            let requests = try await harness.run { publisher, inbox in
                try await publisher.publish(harness.outgoing(deleted), timeout: .seconds(10))
                try await waitUntil("the deletion done") { try await store.specVersion(created.id, version: 1)?.state == .applied }
                try await publisher.publish(harness.outgoing(created), timeout: .seconds(10))
                // The older Spec is consumed (processed) and places nothing.
                try await waitUntil("the old Spec consumed") {
                    try await IntegrationEnvironment.count("processed_messages", in: store) >= 2
                }
                try await Task.sleep(for: .milliseconds(300))
                return inbox.requests(specID: created.id)
            }
            #expect(requests.isEmpty)
            #expect(try await store.withTransaction { tx in try await tx.claims(objectIDs: created.spec.compactMap(\.id?.uuid)) }.isEmpty)
            #expect(try await store.specVersion(created.id, version: 0)?.state == .superseded)
        }
    }

    /// A deletion whose agents are silent (a hung hypervisor) waits for them with the reason,
    /// instead of sending Requests nobody reads while the conductor's deadlines run out; once
    /// they are back the removals go where the objects are.
    @Test func aDeletionWaitsForItsSilentAgentsAndGoesToThemWhenTheyAreBack() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let harness = SchedulerHarness(store: store, agents: Fixtures.host(ObjectID()))
            try await harness.register()
            let created = try await harness.storeSpec(try Self.vmWithVolume())
            let removals = try await harness.run { publisher, inbox in
                try await publisher.publish(harness.outgoing(created), timeout: .seconds(10))
                try await waitUntil("placed") { inbox.requests(specID: created.id).count >= 2 }
                try await harness.register(state: "dead")
                let deleted = try await harness.storeVersion(of: created, version: 1, objects: created.spec.map { object in
                    var object = object
                    object.desiredState = "deleted"
                    return object
                })
                try await publisher.publish(harness.outgoing(deleted), timeout: .seconds(10))
                try await waitUntil("the deletion waiting") {
                    try await IntegrationEnvironment.count("deferred_specs", in: store) == 1
                }
                let waiting = try await store.events(specID: created.id).filter { $0.kind == .waiting && $0.version == 1 }
                #expect(waiting.count == 2)
                #expect(waiting.allSatisfy { $0.message.hasPrefix("waiting for its agent: agent/") && $0.message.contains("sends no heartbeats") },
                        "\(waiting.map(\.message))")
                #expect(inbox.requests(specID: created.id).count == 2, "no removal sent to a silent agent")
                #expect(try await store.specVersion(created.id, version: 1)?.state == .pending)

                try await harness.register(state: "alived")
                try await waitUntil("both removals", within: .seconds(20)) { inbox.requests(specID: created.id).count >= 4 }
                return inbox.requests(specID: created.id).dropFirst(2)
            }
            #expect(removals.map(\.request.object.desiredState) == ["deleted", "deleted"])
            #expect(try await IntegrationEnvironment.count("deferred_specs", in: store) == 0)
            #expect(try await store.events(specID: created.id).filter { $0.kind == .failed }.isEmpty)
        }
    }

    /// Fencing: a VM rescheduled away from the agent it failed on goes to another agent with
    /// its next attempt, and the abandoned agent is asked, with that attempt, to remove it.
    @Test func anObjectMovedOffAnAgentIsRemovedThereUnderItsNextAttempt() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let host = ObjectID()
            let agents = Fixtures.host(host) + [Fixtures.compute(host)]
            let (first, second) = (agents[0], agents[3])
            let harness = SchedulerHarness(store: store, agents: agents)
            try await harness.register()
            let spec = try await harness.storeSpec(try Self.vmWithVolume())
            let vm = try #require(spec.spec.first { $0.type == .vmKVM })
            let received = try await harness.run { publisher, inbox in
                try await publisher.publish(harness.outgoing(spec), timeout: .seconds(10))
                try await waitUntil("the first placement") { inbox.requests(specID: spec.id).count >= 2 }
                let placedOn = try #require(inbox.requests(specID: spec.id).first { $0.request.object.id == vm.id }).queue
                let failedAgent = placedOn == AgentClient.queue(first.id) ? first : second
                // What the conductor sends when the VM failed on that agent.
                var annotations = Annotations()
                annotations[Annotations.rescheduling] = .string("with_error")
                annotations[Annotations.avoidAgents] = .string(failedAgent.id.description)
                let again = SpecMessage(id: spec.id, version: 0, annotations: annotations, spec: [vm])
                try await publisher.publish(harness.outgoing(again), timeout: .seconds(10))
                try await waitUntil("the VM placed again and removed from its first agent") {
                    inbox.requests(specID: spec.id).filter { $0.request.object.id == vm.id }.count >= 3
                }
                return (failedAgent, inbox.requests(specID: spec.id).filter { $0.request.object.id == vm.id })
            }
            let (failedAgent, vmRequests) = received
            let otherAgent = failedAgent.id == first.id ? second : first
            #expect(vmRequests.count == 3)
            let placedAgain = try #require(vmRequests.first { $0.queue == AgentClient.queue(otherAgent.id) })
            #expect(placedAgain.request.attempt == 2)
            #expect(placedAgain.request.object.desiredState == "running")
            let removal = try #require(vmRequests.last { $0.queue == AgentClient.queue(failedAgent.id) })
            #expect(removal.request.attempt == 2)
            #expect(removal.request.object.desiredState == "deleted")
            #expect(removal.request.object.scheduledAgent?.id == failedAgent.id)
            let abandoned = try await store.events(specID: spec.id).filter { $0.kind == .abandoned }
            #expect(abandoned.map(\.objectID) == [vm.id?.uuid])
        }
    }
}
