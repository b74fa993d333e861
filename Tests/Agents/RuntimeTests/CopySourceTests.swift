import AgentRuntime
import Foundation
import Messages
import Synchronization
import TestSupport
import Testing

/// What the runtime carries for moving a volume between volumers: a Request's `copy_from`
/// reaches the driver, and the driver's ``AgentDriver/announcedURL`` rides every heartbeat.
@Suite("Agent runtime: volume copy plumbing (RabbitMQ)", .enabled(if: IntegrationEnvironment.hasBroker))
struct CopySourceTests {
    /// A volumer that records the copy source of each apply and announces an export URL.
    final class CopyingDriver: AgentDriver, Sendable {
        let agentType = ObjectType.agentVolumerFile
        let announcedURL: String? = "http://192.0.2.10:8476"
        private let sources = Mutex<[VolumeCopySource?]>([])

        var received: [VolumeCopySource?] { sources.withLock { $0 } }

        func apply(_ object: Object) async throws -> ApplyOutcome {
            try await apply(object, copyingFrom: nil)
        }

        func apply(_ object: Object, copyingFrom source: VolumeCopySource?) async throws -> ApplyOutcome {
            sources.withLock { $0.append(source) }
            var result = object
            result.url = "file:///fake/\(object.id!)"
            return ApplyOutcome(object: result)
        }

        func capacity() async throws -> Capacity? { Capacity(disk: Size(10, .gb)) }
        func inventory() async throws -> [Object] { [] }
    }

    @Test func copyFromReachesTheDriverAndTheURLIsAnnounced() async throws {
        try await AgentHarness.with { harness in
            let driver = CopyingDriver()
            let agent = try harness.start(driver)
            let heartbeat = try await poll("the join", every: .milliseconds(20)) { harness.heartbeats().first }
            #expect(heartbeat.agent.url == "http://192.0.2.10:8476")

            var request = try Seeds.requestVolume
            request.specID = Int64.random(in: 1...1_000_000_000)
            let source = VolumeCopySource(agentID: ObjectID(), url: "http://192.0.2.11:8476/volumes/\(Seeds.volumeID)")
            request.copyFrom = source
            try await harness.send(request)
            let notify = try #require(try await harness.waitForNotifies(about: Seeds.volumeID).first)
            #expect(notify.level == .success)
            #expect(driver.received == [source])
            try await agent.stopGracefully()
        }
    }
}
