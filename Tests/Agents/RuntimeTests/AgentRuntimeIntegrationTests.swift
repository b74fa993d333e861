import AgentRuntime
import Broker
import Clients
import Foundation
import Messages
import Synchronization
import TestSupport
import Testing

/// The runtime on the real broker, with a driver that creates nothing (``FakeDriver``).
@Suite("Agent runtime (RabbitMQ)", .enabled(if: IntegrationEnvironment.hasBroker))
struct AgentRuntimeIntegrationTests {
    /// The seed's VM request, for a spec of its own.
    func vmRequest() throws -> (RequestMessage, volume: NotifyMessage, nic: NotifyMessage) {
        let specID = Int64.random(in: 1...1_000_000_000)
        var request = try Seeds.requestVM
        request.specID = specID
        var volume = try Seeds.notifyVolume
        volume.specID = specID
        var nic = try Seeds.notifyNIC
        nic.specID = specID
        return (request, volume, nic)
    }

    @Test func dependencyNotifyArrivingTwoSecondsAfterTheRequestCompletesIt() async throws {
        try await AgentHarness.with { harness in
            let driver = FakeDriver(.agentComputeKVM)
            let agent = try harness.start(driver)
            let (request, volume, nic) = try vmRequest()
            try await harness.send(request)
            try await agent.waitUntilParked()
            try await Task.sleep(for: .seconds(2))
            #expect(driver.applied.isEmpty, "nothing is applied before its dependencies are ready")
            try await harness.send(volume)
            try await harness.send(nic)

            let notify = try #require(try await harness.waitForNotifies(about: Seeds.vmID).first)
            #expect(notify.level == .success)
            #expect(notify.specID == request.specID)
            #expect(notify.message == "Succeeded to create resource after waiting "
                + "network resource(8451da31-5e3a-4c46-aa3a-2a557382a6cd), volume resource(d99163ed-0093-40a0-a61b-365a1aece509).")
            #expect(notify.object == (try Seeds.notifyVM.object), "the seed's section 5.3 object, url and bridge filled in")
            #expect(driver.applied == [notify.object])
            let delivery = try #require(harness.received().first { $0.properties.type == "Notify" })
            #expect(delivery.properties.headers[AgentHarness.originalRoutingKeyHeader] == ConductorClient.queue)
            #expect(delivery.properties.correlationID == "\(request.specID)")
            try await agent.stopGracefully()
        }
    }

    @Test func dependencyThatNeverArrivesFailsWithAClearErrorAfterTheDeadline() async throws {
        try await AgentHarness.with { harness in
            let driver = FakeDriver(.agentComputeKVM)
            let agent = try harness.start(driver, harness.configuration(dependencyTimeout: .seconds(1)))
            let (request, _, nic) = try vmRequest()
            try await harness.send(nic)
            try await harness.send(request)

            let notify = try #require(try await harness.waitForNotifies(about: Seeds.vmID).first)
            #expect(notify.level == .error)
            #expect(notify.message.hasPrefix("Failed to create resource: volume resource(d99163ed-0093-40a0-a61b-365a1aece509) has no url; "
                + "its agent agent/volumer/file 264b01b8-aeb5-478a-ad11-715fbc86d2f6 on host 8bce7696-f641-411c-a0ce-6ed066d912a3 "
                + "sent no successful Notify within 1 s"), "\(notify.message)")
            #expect(!notify.message.contains("network resource"), "the NIC's Notify did arrive: \(notify.message)")
            #expect(notify.message.hasSuffix("nothing was created."))
            #expect(notify.object.scheduledAgent?.id == Seeds.computeAgentID)
            #expect(driver.applied.isEmpty)
            try await agent.stopGracefully()
        }
    }

    @Test func notifyThatArrivedBeforeTheRequestIsUsedWithoutWaiting() async throws {
        try await AgentHarness.with { harness in
            let driver = FakeDriver(.agentComputeKVM)
            let agent = try harness.start(driver, harness.configuration(dependencyTimeout: .seconds(1)))
            let (request, volume, nic) = try vmRequest()
            try await harness.send(volume)
            try await harness.send(nic)
            try await harness.send(request)

            let notify = try #require(try await harness.waitForNotifies(about: Seeds.vmID).first)
            #expect(notify.level == .success)
            #expect(notify.message == "Succeeded to create resource.", "it never parked")
            #expect(notify.object == (try Seeds.notifyVM.object))
            try await agent.stopGracefully()
        }
    }

    @Test func earlyNotifyIsStillUsedAfterARestart() async throws {
        try await AgentHarness.with { harness in
            let (request, volume, nic) = try vmRequest()
            let first = try harness.start(FakeDriver(.agentComputeKVM))
            try await harness.send(volume)
            try await harness.send(nic)
            try await poll("both Notifies kept in the state directory", every: .milliseconds(20)) {
                [Seeds.volumeID, Seeds.nicID].allSatisfy {
                    FileManager.default.fileExists(atPath: "\(harness.stateDirectory)/notifies/\($0).json")
                } ? true : nil
            }
            try await first.stopGracefully()

            let driver = FakeDriver(.agentComputeKVM)
            let second = try harness.start(driver, harness.configuration(dependencyTimeout: .seconds(1)))
            try await harness.send(request)
            let notify = try #require(try await harness.waitForNotifies(about: Seeds.vmID).first)
            #expect(notify.level == .success && notify.message == "Succeeded to create resource.")
            #expect(driver.applied.count == 1)
            try await second.stopGracefully()
        }
    }

    @Test func parkedRequestSurvivesARestartAndCompletesOnce() async throws {
        try await AgentHarness.with { harness in
            let (request, volume, nic) = try vmRequest()
            let firstDriver = FakeDriver(.agentComputeKVM)
            let first = try harness.start(firstDriver)
            try await harness.send(request)
            try await first.waitUntilParked()
            try await first.stopGracefully()  // SIGTERM: the parked request is left unacknowledged

            let secondDriver = FakeDriver(.agentComputeKVM)
            let second = try harness.start(secondDriver)
            try await second.waitUntilParked()
            try await harness.send(volume)
            try await harness.send(nic)
            let notifies = try await harness.waitForNotifies(about: Seeds.vmID)
            try await Task.sleep(for: .milliseconds(300))
            #expect(harness.notifies(about: Seeds.vmID).count == 1)
            #expect(notifies.first?.level == .success)
            #expect(firstDriver.applied.isEmpty)
            #expect(secondDriver.applied.count == 1)
            try await second.stopGracefully()
        }
    }

    @Test func gracefulShutdownLetsAnApplyInProgressFinishAndAcknowledges() async throws {
        try await AgentHarness.with { harness in
            let started = Mutex(false)
            let slow = FakeDriver(.agentVolumerFile) { _ in
                started.withLock { $0 = true }
                try await Task.sleep(for: .milliseconds(500))
            }
            let first = try harness.start(slow)
            var request = try Seeds.requestVolume
            request.specID = Int64.random(in: 1...1_000_000_000)
            try await harness.send(request)
            try await poll("the apply to start", every: .milliseconds(20)) { started.withLock { $0 } ? true : nil }
            try await first.stopGracefully()
            let finished = try await harness.waitForNotifies(about: Seeds.volumeID, within: .seconds(5))
            #expect(finished.map(\.level) == [.success])

            // Acknowledged: the next agent on the queue sees only new work.
            let next = FakeDriver(.agentVolumerFile)
            let second = try harness.start(next)
            var other = request
            other.object.id = ObjectID()
            try await harness.send(other)
            _ = try await harness.waitForNotifies(about: other.object.id!)
            try await Task.sleep(for: .milliseconds(300))
            #expect(next.applied.map(\.id) == [other.object.id])
            // (The new agent's empty fake host also makes it report the volume missing: a WARNING.)
            #expect(harness.notifies(about: Seeds.volumeID).filter { $0.level != .warning }.map(\.level) == [.success])
            try await second.stopGracefully()
        }
    }

    @Test func resultGoesToTheConductorAndToEachDependentsAgent() async throws {
        try await AgentHarness.with(dependents: 1) { harness in
            let agent = try harness.start(FakeDriver(.agentVolumerFile))
            var request = try Seeds.requestVolume
            request.specID = Int64.random(in: 1...1_000_000_000)
            let computeAgent = Object(type: .agentComputeKVM, id: harness.dependentAgents[0], desiredState: "alived")
            let vanishedAgent = Object(type: .agentComputeKVM, id: ObjectID(), desiredState: "alived")
            request.dependedBy = [
                Object(type: .vmKVM, id: ObjectID(), dependencies: [.scheduled(on: computeAgent)]),
                Object(type: .vmKVM, id: ObjectID(), dependencies: [.scheduled(on: computeAgent)]),
                Object(type: .vmKVM, id: ObjectID(), dependencies: [.scheduled(on: vanishedAgent)]),
            ]
            try await harness.send(request)
            let toConductor = try #require(try await harness.waitForNotifies(about: Seeds.volumeID).first)
            let dependentQueue = AgentClient.queue(harness.dependentAgents[0])
            let toDependent = try await harness.waitForNotifies(about: Seeds.volumeID, on: dependentQueue)
            #expect(toDependent == [toConductor], "one Notify per agent, the same content")
            #expect(toConductor.level == .success)
            #expect(toConductor.object.url == "file:///fake/\(Seeds.volumeID)")
            try await agent.stopGracefully()
        }
    }

    @Test func badRequestsAreAnsweredWithErrorsCreateNothingAndTheAgentKeepsServing() async throws {
        try await AgentHarness.with { harness in
            let driver = FakeDriver(.agentVolumerFile)
            let agent = try harness.start(driver)
            let specID = Int64.random(in: 1...1_000_000_000)
            var wrongAgent = try Seeds.requestVM
            wrongAgent.specID = specID
            try await harness.send(wrongAgent)
            let (badSize, unknownType, good) = (ObjectID(), ObjectID(), ObjectID())
            func volume(_ id: ObjectID, type: String = "resource/volume/file", size: String) -> String {
                #"{"spec_id": \#(specID), "object": {"type": "\#(type)", "id": "\#(id)", "status": "allocated", "size": "\#(size)"}}"#
            }
            try await harness.sendRaw(type: "Request", body: volume(badSize, size: "4zb"))
            try await harness.sendRaw(type: "Request", body: volume(unknownType, type: "resource/volume/nfs", size: "1gb"))
            try await harness.sendRaw(type: "Request", body: "{not json")
            try await harness.sendRaw(type: "Request", body: volume(good, size: "1gb"))

            let wrong = try #require(try await harness.waitForNotifies(about: Seeds.vmID).first)
            #expect(wrong.level == .error)
            #expect(wrong.message.contains("does not create resource/vm/kvm; resource/vm/kvm is created by agent/compute/kvm agents"))
            let size = try #require(try await harness.waitForNotifies(about: badSize).first)
            #expect(size.level == .error)
            #expect(size.message.contains("object.size: size '4zb': unknown unit 'zb'"), "\(size.message)")
            #expect(size.object.type == .volumeFile)
            #expect(size.object.scheduledAgent?.id == harness.agentID)
            let type = try #require(try await harness.waitForNotifies(about: unknownType).first)
            #expect(type.level == .error)
            #expect(type.message.contains("unknown type 'resource/volume/nfs'"), "\(type.message)")
            let served = try #require(try await harness.waitForNotifies(about: good).first)
            #expect(served.level == .success)
            #expect(driver.applied.map(\.id) == [good], "nothing was created for the bad requests")
            try await agent.stopGracefully()
        }
    }

    @Test func joinsWithAHeartbeatCarryingItsCapacity() async throws {
        try await AgentHarness.with { harness in
            let agent = try harness.start(FakeDriver(.agentComputeKVM), harness.configuration(heartbeatInterval: .seconds(7)))
            let heartbeat = try await poll("the join", every: .milliseconds(20)) { harness.heartbeats().first }
            #expect(heartbeat.agent == Object(type: .agentComputeKVM, id: harness.agentID, desiredState: "alived",
                                              hostID: harness.hostID, capacity: Capacity(vcpus: 4, memory: Size(8, .gb))))
            #expect(heartbeat.intervalSeconds == 7)
            #expect(abs(heartbeat.sentAt.timeIntervalSinceNow) < 60)
            let delivery = try #require(harness.received().first { $0.properties.type == "Heartbeat" })
            #expect(delivery.properties.headers[AgentHarness.originalRoutingKeyHeader] == ConductorClient.queue)
            try await agent.stopGracefully()
        }
    }

    @Test func startUpReconciliationReportsWhatChangedOnTheHost() async throws {
        try await AgentHarness.with { harness in
            let specID = Int64.random(in: 1...1_000_000_000)
            let (gone, shrunk) = (ObjectID(), ObjectID())
            let first = try harness.start(FakeDriver(.agentVolumerFile))
            for id in [gone, shrunk] {
                try await harness.send(RequestMessage(specID: specID, object: Object(
                    type: .volumeFile, id: id, desiredState: "allocated", size: Size(10, .gb))))
                _ = try await harness.waitForNotifies(about: id)
            }
            try await first.stopGracefully()

            // The host lost one volume, another was shrunk by hand, and a stranger appeared.
            let host = FakeDriver(.agentVolumerFile, holding: [
                Object(type: .volumeFile, id: shrunk, size: Size(5, .gb)),
                Object(type: .volumeFile, id: ObjectID(), size: Size(1, .gb)),
            ])
            let second = try harness.start(host)
            let missing = try #require(try await harness.waitForNotifies(about: gone, count: 2).last)
            #expect(missing.level == .warning)
            #expect(missing.specID == specID)
            #expect(missing.message.contains("volume resource(\(gone)) is missing on host \(harness.hostID)"), "\(missing.message)")
            let changed = try #require(try await harness.waitForNotifies(about: shrunk, count: 2).last)
            #expect(changed.level == .warning)
            #expect(changed.message.contains("size 5gb instead of 10gb"), "\(changed.message)")
            try await second.stopGracefully()
        }
    }

    /// Power across reboots: a VM held `running` and found `poweroff` is started at agent start
    /// and reported as a success of the attempt held, with its new VNC address; one that cannot
    /// be started is reported (`WARNING`) with the reason; a VM held `poweroff` is left alone.
    @Test func startUpReconciliationStartsVMsThatShouldRunAndReportsThoseItCannot() async throws {
        try await AgentHarness.with { harness in
            let specID = Int64.random(in: 1...1_000_000_000)
            let (comes, stays, off) = (ObjectID(), ObjectID(), ObjectID())
            let first = try harness.start(FakeDriver(.agentComputeKVM))
            for (id, state) in [(comes, "running"), (stays, "running"), (off, "poweroff")] {
                var request = RequestMessage(specID: specID, object: Object(
                    type: .vmKVM, id: id, desiredState: state, vcpus: 2, memory: Size(1, .gb), vncPassword: "hogehoge"))
                request.attempt = 3
                try await harness.send(request)
                _ = try await harness.waitForNotifies(about: id)
            }
            try await first.stopGracefully()

            // The host restarted: every guest is off.
            let host = FakeDriver(.agentComputeKVM, holding: [comes, stays, off].map { id in
                Object(type: .vmKVM, id: id, desiredState: "poweroff", vcpus: 2, memory: Size(1, .gb))
            }, restoreFailures: [stays: "libvirt could not start VM \(stays): Cannot access storage file '/gone'"])
            let second = try harness.start(host)
            let restored = try #require(try await harness.waitForNotifies(about: comes, count: 2).last)
            #expect(restored.level == .success, "\(restored.message)")
            #expect(restored.attempt == 3, "the attempt held, so a later one is never overtaken")
            #expect(restored.specID == specID)
            #expect(restored.object.vncAddress == "127.0.0.1:5907")
            #expect(restored.object.vncPassword != "hogehoge", "held objects are redacted")
            #expect(restored.message.contains("Restored at agent start"), "\(restored.message)")
            #expect(host.holding[comes]?.vncAddress == "127.0.0.1:5907")

            let failed = try #require(try await harness.waitForNotifies(about: stays, count: 2).last)
            #expect(failed.level == .warning)
            #expect(failed.message.contains("vm resource(\(stays)) on host \(harness.hostID) was found poweroff at agent start"),
                    "\(failed.message)")
            #expect(failed.message.contains("could not be brought back to running"), "\(failed.message)")
            #expect(failed.message.contains("Cannot access storage file '/gone'"), "\(failed.message)")

            try await second.stopGracefully()
            #expect(harness.notifies(about: off).count == 1, "a VM held powered off is not touched")
            #expect(host.holding[off]?.desiredState == "poweroff")
        }
    }
}
