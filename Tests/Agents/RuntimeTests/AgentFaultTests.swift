import AgentRuntime
import Broker
import Clients
import Foundation
import Messages
import Synchronization
import TestSupport
import Testing

/// The agent runtime under the faults: abandoned attempts fenced off, heartbeats that
/// never wait on a busy driver, progress reports while work takes long, answers that are
/// recognised when repeated, messages from a newer release understood.
@Suite("Agent runtime under faults (RabbitMQ)", .enabled(if: IntegrationEnvironment.hasBroker))
struct AgentFaultTests {
    func volumeRequest(attempt: Int?, state: String = "allocated") throws -> RequestMessage {
        var request = try Seeds.requestVolume
        request.specID = Int64.random(in: 1...1_000_000_000)
        request.attempt = attempt
        request.object.desiredState = state
        return request
    }

    func configuration(_ harness: AgentHarness, heartbeat: Duration = .seconds(10), progress: Duration = .seconds(20)) -> AgentConfiguration {
        AgentConfiguration(agentID: harness.agentID, hostID: harness.hostID, stateDirectory: harness.stateDirectory,
                           heartbeatInterval: heartbeat, dependencyTimeout: .seconds(30), applyTimeout: .seconds(30),
                           progressInterval: progress, prefetch: Int(harness.broker.prefetch))
    }

    /// An agent refuses a `Request` older than the attempt it holds, also once it has removed
    /// the object (its tombstone keeps the attempt): a redelivered request of an abandoned
    /// attempt cannot bring anything back.
    @Test func aRequestOfAnAbandonedAttemptIsRefused() async throws {
        try await AgentHarness.with { harness in
            let driver = FakeDriver(.agentVolumerFile)
            let agent = try harness.start(driver)
            try await harness.send(try volumeRequest(attempt: 2))
            _ = try await harness.waitForNotifies(about: Seeds.volumeID, count: 1)
            try await harness.send(try volumeRequest(attempt: 1))
            try await harness.send(try volumeRequest(attempt: 3, state: "deleted"))
            _ = try await harness.waitForNotifies(about: Seeds.volumeID, count: 2)
            try await harness.send(try volumeRequest(attempt: 2))
            try await Task.sleep(for: .seconds(1))
            let notifies = harness.notifies(about: Seeds.volumeID)
            #expect(notifies.map(\.attempt) == [2, 3], "attempts 1 and 2 (after 3) were refused without an answer")
            #expect(driver.applied.map(\.desiredState) == ["allocated", "deleted"])
            try await agent.stopGracefully()
        }
    }

    /// The compute agent's capacity goes through its single libvirt thread; a long call there
    /// (a managed save, a hung libvirtd) must not silence its heartbeats.
    @Test func heartbeatsGoOnWhileMeasuringCapacityHangs() async throws {
        try await AgentHarness.with { harness in
            let driver = BusyCapacityDriver()
            let agent = try harness.start(driver, configuration(harness, heartbeat: .seconds(1)))
            // The measure hangs for ever: without heartbeats beside it, five never come. The
            // margin is for a machine busy with other tests (15 s failed once in CI).
            try await poll("five heartbeats", within: .seconds(45)) { harness.heartbeats().count >= 5 ? true : nil }
            #expect(driver.measured.withLock { $0 } == 2, "one measure answered; the next still hangs, and no more pile up")
            #expect(harness.heartbeats().allSatisfy { $0.agent.capacity == Capacity(vcpus: 4, memory: Size(8, .gb)) })
            await agent.kill()
        }
    }

    /// Deadlines that add up: while an apply takes longer than the progress interval, the agent
    /// tells the conductor (INFO, with its attempt) so the conductor's deadline moves on.
    @Test func aSlowApplyReportsProgress() async throws {
        try await AgentHarness.with { harness in
            // Five progress intervals: at least one report arrives even on a loaded machine.
            let driver = FakeDriver(.agentVolumerFile) { _ in try await Task.sleep(for: .seconds(5)) }
            let agent = try harness.start(driver, configuration(harness, progress: .seconds(1)))
            try await harness.send(try volumeRequest(attempt: 4))
            let notifies = try await poll("the result", within: .seconds(30)) {
                let found = harness.notifies(about: Seeds.volumeID)
                return found.contains { $0.level == .success } ? found : nil
            }
            let progress = notifies.filter { $0.level == .info }
            #expect(!progress.isEmpty)
            #expect(progress.allSatisfy { $0.attempt == 4 && $0.message.hasPrefix("Still applying after") })
            try await agent.stopGracefully()
        }
    }

    /// A redelivered request is answered again with the same message ids, so the conductor
    /// counts one result, not two.
    @Test func answeringTheSameRequestTwiceReusesTheNotifyIDs() async throws {
        try await AgentHarness.with { harness in
            let agent = try harness.start(FakeDriver(.agentVolumerFile))
            var message = AgentClient.request(try volumeRequest(attempt: 1), to: harness.agentID, trace: nil)
            message.messageID = UUID().uuidString.lowercased()
            try await harness.publisher.publish(message, timeout: .seconds(10))
            _ = try await harness.waitForNotifies(about: Seeds.volumeID, count: 1)
            try await harness.publisher.publish(message, timeout: .seconds(10))
            _ = try await harness.waitForNotifies(about: Seeds.volumeID, count: 2)
            let ids = harness.received().filter { $0.properties.type == "Notify" }.map(\.properties.messageID)
            #expect(ids.count == 2 && ids[0] == ids[1])
            try await agent.stopGracefully()
        }
    }

    /// A rolling upgrade: a scheduler one release ahead adds fields to the Request and its
    /// object and a newer schema version; this agent still applies it.
    @Test func aRequestFromANewerSenderIsApplied() async throws {
        try await AgentHarness.with { harness in
            let driver = FakeDriver(.agentVolumerFile)
            let agent = try harness.start(driver)
            let request = try volumeRequest(attempt: 1)
            var json = try #require(try JSONSerialization.jsonObject(with: MessageCodec.encode(request, format: .json)) as? [String: Any])
            json["placement_group"] = "pg-7"
            var object = try #require(json["object"] as? [String: Any])
            object["encryption"] = ["cipher": "aes-xts"]
            json["object"] = object
            var message = OutgoingMessage(routingKey: AgentClient.queue(harness.agentID), type: "Request",
                                          body: try JSONSerialization.data(withJSONObject: json))
            message.headers[WireSchema.header] = "\(WireSchema.current + 1)"
            try await harness.publisher.publish(message, timeout: .seconds(10))
            let notify = try #require(try await harness.waitForNotifies(about: Seeds.volumeID).first)
            #expect(notify.level == .success)
            #expect(driver.applied.count == 1)
            try await agent.stopGracefully()
        }
    }
}

/// A driver whose first capacity measure answers and every later one hangs, as a compute agent
/// whose libvirt thread is busy.
final class BusyCapacityDriver: AgentDriver, Sendable {
    let agentType = ObjectType.agentComputeKVM
    let measured = Mutex(0)

    func apply(_ object: Object) async throws -> ApplyOutcome { ApplyOutcome(object: object) }

    func capacity() async throws -> Capacity? {
        if measured.withLock({ $0 += 1; return $0 }) > 1 {
            try await Task.sleep(for: .seconds(3600))
        }
        return Capacity(vcpus: 4, memory: Size(8, .gb))
    }

    func inventory() async throws -> [Object] { [] }
}
