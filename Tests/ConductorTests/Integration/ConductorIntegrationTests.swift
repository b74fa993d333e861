import API
import Foundation
import Logging
import Messages
import Store
import TestSupport
import Testing

@testable import Conductor

/// The conductor on the real broker and database, fed the seed's messages. Each test has a
/// database schema of its own, so its sweepers see only its own specs and agents.
@Suite("Conductor integration (RabbitMQ, PostgreSQL)", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct ConductorIntegrationTests {
    /// Quick sweeps; a deadline no test reaches unless it means to.
    static let quick = ConductorConfiguration(
        maxAttempts: 3, applyDeadline: .seconds(300), sweepInterval: .milliseconds(100), concurrency: 8,
        leaseGrace: .milliseconds(200), catchUpLimit: .seconds(1))

    @Test func theSeedsFlowAppliesTheVersionAndLeavesTheSeedsGraph() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            let harness = try ConductorHarness(store: store)
            try await harness.run(configuration: Self.quick) {
                for heartbeat in scenario.heartbeats(intervalSeconds: 3600) {
                    try await harness.publish(heartbeat)
                }
                try await harness.waitForHandled(3, "the agents' heartbeats")
                try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
                for resource in [SeedScenario.Resource.volume, .network, .nic, .vm] {
                    try await harness.publish(try scenario.notify(resource))
                }
                try await waitUntil("the spec version applied", every: .milliseconds(25)) {
                    try await store.specVersion(scenario.specID, version: 0)?.state == .applied
                }
                try await harness.waitForHandled(7, "every result")
            }
            #expect(harness.handled.map(\.outcome).filter { $0 == .heartbeat }.count == 3)
            #expect(harness.handled.map(\.outcome).filter { $0 == .applied(versionApplied: true) }.count == 1)
            #expect(harness.handled.map(\.outcome).filter { $0 == .applied(versionApplied: false) }.count == 3)

            // The event log: one APPLIED per object, then one for the version.
            let events = try await store.events(specID: scenario.specID)
            let applied = events.filter { $0.kind == .applied }
            #expect(Set(applied.compactMap(\.objectID)) == Set([scenario.vm, scenario.volume, scenario.nic, scenario.network].map(\.uuid)))
            #expect(applied.count == 5)
            #expect(applied.last?.objectID == nil)
            #expect(applied.allSatisfy { $0.version == 0 })

            // GET /api/spec/{id} shows it.
            let status = try await SpecService(store: store, limits: SpecLimits(), logger: harness.logger).status(specID: scenario.specID)
            #expect(status.state == "applied")
            #expect(status.objects.count == 4)
            #expect(status.objects.allSatisfy { $0.progress == "APPLIED" })

            try await expectSeedShape(store.graph(specID: scenario.specID), scenario)
        }
    }

    /// The graph after the seed's flow: VM attached to the volume (with boot priority) and the
    /// NIC, the NIC on the network, every object scheduled on its agent and applied, agents with
    /// their host, agent-filled fields recorded and the VNC password kept.
    func expectSeedShape(_ graph: Graph, _ scenario: SeedScenario) throws {
        func node(_ id: ObjectID) throws -> GraphNode {
            try #require(graph.nodes.first { $0.id == id.uuid }, "node \(id)")
        }
        func object(_ id: ObjectID) throws -> Object {
            try MessageCodec.decode(Object.self, from: try node(id).object, format: .json)
        }
        func edge(_ source: ObjectID, _ target: ObjectID, _ relation: String) -> GraphEdge? {
            graph.edges.first { $0.source == source.uuid && $0.target == target.uuid && $0.relation == relation }
        }
        #expect(graph.nodes.count == 7)
        #expect(graph.edges.count == 7)

        let boot = try #require(edge(scenario.vm, scenario.volume, Relation.vmAttachments))
        let property = try MessageCodec.decode(DependencyProperty.self, from: boot.properties, format: .json)
        #expect(property == DependencyProperty(relation: Relation.vmAttachments, bootPriority: 1))
        #expect(edge(scenario.vm, scenario.nic, Relation.vmAttachments) != nil)
        #expect(edge(scenario.nic, scenario.network, Relation.portNetwork) != nil)

        for resource in SeedScenario.Resource.allCases {
            let id = scenario.id(of: resource)
            #expect(edge(id, scenario.agent(of: resource), Relation.scheduled) != nil, "\(resource) scheduled on its agent")
            #expect(try node(id).observedState == "APPLIED")
            #expect(try node(id).specID == scenario.specID)
        }
        for (agent, type) in [(scenario.compute, ObjectType.agentComputeKVM), (scenario.volumer, .agentVolumerFile), (scenario.porter, .agentPorterVLAN)] {
            let agentNode = try node(agent)
            #expect(agentNode.type == type.rawValue)
            #expect(agentNode.name == "\(type.rawValue) \(scenario.host)")
            #expect(agentNode.desiredState == "alived")
            #expect(agentNode.specID == nil)
            let record = try object(agent)
            #expect(record.hostID == scenario.host)
            #expect(record.desiredState == "alived")
        }
        #expect(try object(scenario.compute).capacity?.vcpus == 8)

        #expect(try object(scenario.volume).url == "file:///data/\(scenario.volume)")
        #expect(try object(scenario.network).bridge == "br-vlan-0f97b5a3-bff2-4f13-9361-9f9b4fab3d65")
        #expect(try object(scenario.nic).hwAddr == scenario.mac)
        let vm = try object(scenario.vm)
        #expect(vm.vncPassword == "hogehoge")
        #expect(vm.desiredState == "running")
        #expect(vm.dependencies?.compactMap(\.object.id).sorted() == [scenario.nic, scenario.volume].sorted())
    }

    @Test func aDuplicateNotifyIsAppliedOnce() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
            let harness = try ConductorHarness(store: store)
            let messageID = UUID().uuidString.lowercased()
            try await harness.run(configuration: Self.quick) {
                let notify = try scenario.notify(.volume)
                try await harness.publish(notify, messageID: messageID)
                try await harness.publish(notify, messageID: messageID)
                try await harness.waitForHandled(2, "both copies")
            }
            #expect(harness.handled.map(\.outcome).sorted { "\($0)" < "\($1)" } == [.applied(versionApplied: false), .duplicate])
            #expect(harness.handled.allSatisfy { $0.messageID == messageID })
            let applied = try await store.events(specID: scenario.specID).filter { $0.kind == .applied }
            #expect(applied.map(\.objectID) == [scenario.volume.uuid])
            #expect(try await store.specVersion(scenario.specID, version: 0)?.state == .pending)
        }
    }

    @Test func anErrorReschedulesTheObjectAwayFromItsAgent() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
            let harness = try ConductorHarness(store: store)
            try await harness.run(configuration: Self.quick) {
                try await harness.publish(try scenario.notify(.vm, level: .error, message: "cannot define the domain: no space left"))
                try await waitUntil("a rescheduling Spec on scheduler", every: .milliseconds(25)) { !harness.specs(for: scenario).isEmpty }
            }
            #expect(harness.handled.map(\.outcome) == [.rescheduled])
            let spec = try #require(harness.specs(for: scenario).first)
            #expect(spec.version == 0)
            #expect(spec.spec.map(\.id) == [scenario.vm])
            let vm = try #require(spec.spec.first)
            #expect(vm.type == .vmKVM)
            #expect(vm.dependencies?.allSatisfy { $0.object.isReference && $0.property.relation == Relation.vmAttachments } == true)
            #expect(vm.dependencies?.first { $0.object.id == scenario.volume }?.property.bootPriority == 1)
            #expect(spec.annotations?[Annotations.rescheduling] == "with_error")
            #expect(spec.annotations?["n0stack/n0core/scheduler/avoid_agents"] == .string(scenario.compute.description))
            #expect(spec.annotations?[Annotations.sameHost] == true)
            #expect(spec.annotations?[Annotations.hostID] == "85cf3a3a-18e4-4fe2-b406-9e79079cae07")

            let events = try await store.events(specID: scenario.specID)
            let rescheduled = events.filter { $0.kind == .rescheduled }
            #expect(rescheduled.map(\.objectID) == [scenario.vm.uuid])
            #expect(rescheduled.first?.message.contains("no space left") == true)
            #expect(try await store.node(scenario.vm.uuid)?.observedState == "FAILED")
            #expect(try await store.specVersion(scenario.specID, version: 0)?.state == .pending)
        }
    }

    @Test func threeErrorsFailTheObjectAndTheVersionWithTheLastReason() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
            let (second, third) = (ObjectID(), ObjectID())
            let harness = try ConductorHarness(store: store)
            try await harness.run(configuration: Self.quick) {
                try await harness.publish(try scenario.notify(.vm, level: .error, message: "first: no space left"))
                try await waitUntil("the first rescheduling", every: .milliseconds(25)) { harness.specs(for: scenario).count == 1 }
                // The scheduler places it on another agent; the first agent's late success is ignored.
                try await scenario.schedule([.vm], on: second, in: store)
                try await harness.publish(try scenario.notify(.vm, level: .success))
                try await harness.publish(try scenario.notify(.vm, level: .error, message: "second: kvm unavailable", agent: second))
                try await waitUntil("the second rescheduling", every: .milliseconds(25)) { harness.specs(for: scenario).count == 2 }
                try await scenario.schedule([.vm], on: third, in: store)
                try await harness.publish(try scenario.notify(.vm, level: .error, message: "third: qemu crashed", agent: third))
                try await waitUntil("the version failed", every: .milliseconds(25)) {
                    try await store.specVersion(scenario.specID, version: 0)?.state == .failed
                }
            }
            let outcomes = harness.handled.map(\.outcome)
            #expect(outcomes.count == 4)
            #expect(outcomes.filter { $0 == .rescheduled }.count == 2)
            #expect(outcomes.filter { $0 == .failed }.count == 1)
            #expect(outcomes.contains { if case .ignored = $0 { true } else { false } })

            let specs = harness.specs(for: scenario)
            #expect(specs.map { $0.annotations?["n0stack/n0core/scheduler/avoid_agents"] } == [
                .string("\(scenario.compute)"), .string("\(scenario.compute),\(second)"),
            ])
            let version = try #require(try await store.specVersion(scenario.specID, version: 0))
            let reason = try #require(version.reason)
            #expect(reason.contains("third: qemu crashed"))
            #expect(reason.contains("\(third)"))
            #expect(reason.contains("failed after 3 attempts"))
            #expect(reason.contains(scenario.vm.description))

            let events = try await store.events(specID: scenario.specID)
            #expect(events.filter { $0.kind == .rescheduled }.count == 2)
            #expect(events.filter { $0.kind == .failed }.map(\.objectID) == [scenario.vm.uuid, nil])
            #expect(try await store.node(scenario.vm.uuid)?.observedState == "FAILED")
            let status = try await SpecService(store: store, limits: SpecLimits(), logger: harness.logger).status(specID: scenario.specID)
            #expect(status.state == "failed")
            #expect(status.reason == reason)
        }
    }

    @Test func aSilentAgentBecomesDeadAndTheObjectsItWasApplyingAreRescheduled() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            let harness = try ConductorHarness(store: store)
            // Two replicas and two sweepers: the agent is declared dead and the VM rescheduled once.
            try await harness.run(configuration: Self.quick, replicas: 2, sweepers: 2) {
                for heartbeat in scenario.heartbeats(intervalSeconds: 3600, computeInterval: 1) {
                    try await harness.publish(heartbeat)
                }
                try await harness.waitForHandled(3, "the agents' heartbeats")
                try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
                try await harness.publish(try scenario.notify(.volume))
                try await waitUntil("the volume applied", every: .milliseconds(25)) {
                    try await store.events(specID: scenario.specID).contains { $0.kind == .applied }
                }
                // The compute agent sends no more heartbeats.
                try await waitUntil("the compute agent dead", every: .milliseconds(25)) {
                    try await store.node(scenario.compute.uuid)?.desiredState == "dead"
                }
                try await waitUntil("the VM rescheduled", every: .milliseconds(25)) { !harness.specs(for: scenario).isEmpty }
                // A few more sweeps change nothing.
                try await Task.sleep(for: .milliseconds(500))
            }
            let agent = try #require(try await store.node(scenario.compute.uuid))
            #expect(try MessageCodec.decode(Object.self, from: agent.object, format: .json).desiredState == "dead")
            #expect(try await store.node(scenario.volumer.uuid)?.desiredState == "alived")

            let specs = harness.specs(for: scenario)
            #expect(specs.count == 1)
            #expect(specs.first?.spec.map(\.id) == [scenario.vm])
            // Not held against the agent: the VM may be there, and a same-host spec has nowhere
            // else to go; the scheduler waits for the agent instead (SchedulerFaultTests).
            #expect(specs.first?.annotations?["n0stack/n0core/scheduler/avoid_agents"] == nil)
            let rescheduled = try await store.events(specID: scenario.specID).filter { $0.kind == .rescheduled }
            #expect(rescheduled.map(\.objectID) == [scenario.vm.uuid])
            #expect(rescheduled.first?.message.contains("dead") == true)
            #expect(rescheduled.first?.message.contains("on agent \(scenario.compute)") == true)
        }
    }

    @Test func anObjectNotAppliedInTimeIsTreatedAsFailedOnItsAgent() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            try await scenario.schedule([.vm], in: store)
            let harness = try ConductorHarness(store: store)
            var configuration = Self.quick
            configuration.applyDeadline = .milliseconds(500)
            try await harness.run(configuration: configuration) {
                try await waitUntil("the VM rescheduled", every: .milliseconds(25)) { !harness.specs(for: scenario).isEmpty }
            }
            let spec = try #require(harness.specs(for: scenario).first)
            #expect(spec.spec.map(\.id) == [scenario.vm])
            #expect(spec.annotations?["n0stack/n0core/scheduler/avoid_agents"] == nil)
            let rescheduled = try await store.events(specID: scenario.specID).filter { $0.kind == .rescheduled }
            #expect(rescheduled.first?.objectID == scenario.vm.uuid)
            #expect(rescheduled.first?.message.contains("no result within 0.5 s") == true)
            #expect(rescheduled.first?.message.contains("on agent \(scenario.compute)") == true)
        }
    }

    @Test func replicasConsumingTogetherApplyEachResultOnce() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
            let harness = try ConductorHarness(store: store)
            try await harness.run(configuration: Self.quick, replicas: 3) {
                let notifies = try SeedScenario.Resource.allCases.map { (try scenario.notify($0), UUID().uuidString.lowercased()) }
                // Every result twice (an agent's retry, a redelivery), interleaved.
                for (notify, messageID) in notifies + notifies {
                    try await harness.publish(notify, messageID: messageID)
                }
                try await harness.waitForHandled(8, "every copy")
            }
            let outcomes = harness.handled.map(\.outcome)
            #expect(outcomes.filter { $0 == .duplicate }.count == 4)
            #expect(outcomes.filter { $0 == .applied(versionApplied: true) }.count == 1)
            #expect(outcomes.filter { $0 == .applied(versionApplied: false) }.count == 3)
            let applied = try await store.events(specID: scenario.specID).filter { $0.kind == .applied }
            #expect(applied.count == 5)
            #expect(Set(applied.compactMap(\.objectID)).count == 4)
            #expect(try await store.specVersion(scenario.specID, version: 0)?.state == .applied)
        }
    }

    @Test func aMessageThatCannotBeProcessedIsDeadLetteredAndChangesNothing() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scenario = try await SeedScenario.create(in: store)
            try await scenario.schedule(SeedScenario.Resource.allCases, in: store)
            let harness = try ConductorHarness(store: store)
            try await harness.run(configuration: Self.quick) {
                try await harness.publishRaw(type: "Notify", body: "{\"spec_id\": \"not a number\"}")
                var stranger = try scenario.notify(.volume)
                stranger.object.id = ObjectID()
                try await harness.publish(stranger)
                try await harness.waitForHandled(2, "both messages")
                // The conductor carries on.
                try await harness.publish(try scenario.notify(.volume))
                try await harness.waitForHandled(3, "a good message after them")
            }
            let outcomes = harness.handled.map(\.outcome)
            #expect(outcomes.prefix(2).allSatisfy { if case .deadLettered = $0 { true } else { false } })
            #expect(outcomes.contains { if case .deadLettered(let reason) = $0 { reason.contains("undecodable Notify") } else { false } })
            #expect(outcomes.contains { if case .deadLettered(let reason) = $0 { reason.contains("is not part of spec \(scenario.specID)") } else { false } })
            #expect(outcomes.last == .applied(versionApplied: false))
            #expect(try await store.events(specID: scenario.specID).filter { $0.kind == .applied }.count == 1)
        }
    }
}
