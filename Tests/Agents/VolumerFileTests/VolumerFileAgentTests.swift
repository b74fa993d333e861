import AgentRuntime
import Clients
import Foundation
import Messages
import Synchronization
import TestSupport
import Testing

@testable import VolumerFile

/// `n0core-volumer-file` end to end: the real broker, the real `qemu-img`.
@Suite("Volume agent (RabbitMQ, qemu-img)",
       .enabled(if: IntegrationEnvironment.hasBroker && VolumeTestEnvironment.hasQemuImg))
struct VolumerFileAgentTests {
    /// The seed's volume request (section 5.1) for a spec of its own.
    func seedRequest() throws -> RequestMessage {
        var request = try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestVolume, format: .yaml)
        request.specID = Int64.random(in: 1...1_000_000_000)
        return request
    }

    var volumeID: ObjectID { ObjectID("d99163ed-0093-40a0-a61b-365a1aece509")! }

    @Test func seedRequestMakesAQcow2OfItsSizeAndNotifiesTheConductorAsSeed52() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            try await AgentHarness.with { harness in
                let agent = try harness.start(VolumeTestEnvironment.driver(directory))
                let request = try seedRequest()
                try await harness.send(request)
                let notify = try #require(try await harness.waitForNotifies(about: volumeID).first)

                let path = "\(directory)/\(volumeID)"
                let info = try await VolumeTestEnvironment.info(path)
                #expect(info["format"] as? String == "qcow2")
                #expect((info["virtual-size"] as? NSNumber)?.uint64Value == 10 << 30)

                // Seed 5.2 with this agent's data directory in the url.
                var expected = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyVolume, format: .yaml)
                expected.specID = request.specID
                expected.object.url = "file://\(path)"
                #expect(notify == expected)
                let delivery = try #require(harness.received().first { $0.properties.type == "Notify" })
                let json = try #require(try JSONSerialization.jsonObject(with: delivery.data) as? [String: Any])
                #expect(Set(json.keys) == ["spec_id", "msg", "level", "object"])
                #expect(json["level"] as? String == "SUCCESS")
                #expect((json["object"] as? [String: Any])?["url"] as? String == "file://\(path)")
                #expect(delivery.properties.headers[AgentHarness.originalRoutingKeyHeader] == ConductorClient.queue)
                try await agent.stopGracefully()
            }
        }
    }

    @Test func sameRequestTwiceLeavesOneFileAndSucceedsTwice() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            try await AgentHarness.with { harness in
                let agent = try harness.start(VolumeTestEnvironment.driver(directory))
                let request = try seedRequest()
                try await harness.send(request)
                try await harness.send(request)
                let notifies = try await harness.waitForNotifies(about: volumeID, count: 2)
                #expect(notifies.map(\.level) == [.success, .success])
                #expect(notifies[0].object == notifies[1].object)
                #expect(VolumeTestEnvironment.entries(directory) == [volumeID.description])
                try await agent.stopGracefully()
            }
        }
    }

    @Test func agentKilledMidRequestAndRestartedCompletesItOnce() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            try await AgentHarness.with { harness in
                let stuck = StuckAfterCreate(ProcessCommandRunner(logger: VolumeTestEnvironment.logger))
                let first = try harness.start(VolumeTestEnvironment.driver(directory, runner: stuck))
                let request = try seedRequest()
                try await harness.send(request)
                try await poll("qemu-img create to have run", every: .milliseconds(20)) { stuck.created ? true : nil }
                #expect(VolumeTestEnvironment.entries(directory).contains { $0.hasSuffix(".creating") })
                await first.kill()
                #expect(harness.notifies(about: volumeID).isEmpty)

                let second = try harness.start(VolumeTestEnvironment.driver(directory))
                let notifies = try await harness.waitForNotifies(about: volumeID)
                try await Task.sleep(for: .milliseconds(300))
                #expect(harness.notifies(about: volumeID).count == 1)
                #expect(notifies.first?.level == .success)
                #expect(VolumeTestEnvironment.entries(directory) == [volumeID.description], "one file, nothing half-made")
                #expect(try await VolumeTestEnvironment.virtualSize("\(directory)/\(volumeID)") == 10 << 30)
                try await second.stopGracefully()
            }
        }
    }

    @Test func badRequestsGetAnErrorCreateNothingAndTheAgentKeepsServing() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            try await AgentHarness.with { harness in
                let agent = try harness.start(VolumeTestEnvironment.driver(directory))
                let specID = Int64.random(in: 1...1_000_000_000)
                let (noSize, badSize, badType, good) = (ObjectID(), ObjectID(), ObjectID(), ObjectID())
                func request(_ id: ObjectID, type: String = "resource/volume/file", size: String?) -> String {
                    let sizeField = size.map { #", "size": "\#($0)""# } ?? ""
                    return #"{"spec_id": \#(specID), "object": {"type": "\#(type)", "id": "\#(id)", "status": "allocated"\#(sizeField)}}"#
                }
                try await harness.sendRaw(type: "Request", body: request(noSize, size: nil))
                try await harness.sendRaw(type: "Request", body: request(badSize, size: "4zb"))
                try await harness.sendRaw(type: "Request", body: request(badType, type: "resource/volume/iscsi", size: "1gb"))
                try await harness.sendRaw(type: "Request", body: request(good, size: "1gb"))

                let expectations: [(ObjectID, String)] = [
                    (noSize, "object.size is required for a resource/volume/file"),
                    (badSize, "size '4zb': unknown unit 'zb'"),
                    (badType, "unknown type 'resource/volume/iscsi'"),
                ]
                for (id, text) in expectations {
                    let notify = try #require(try await harness.waitForNotifies(about: id).first)
                    #expect(notify.level == .error)
                    #expect(notify.message.contains(text), "\(notify.message)")
                    #expect(notify.message.contains("nothing was created"), "\(notify.message)")
                }
                let served = try #require(try await harness.waitForNotifies(about: good).first)
                #expect(served.level == .success)
                #expect(VolumeTestEnvironment.entries(directory) == [good.description])
                try await agent.stopGracefully()
            }
        }
    }

    /// The attack of issue 15 against the real agent: a volume whose source is the host's
    /// `/etc/shadow`, named as a URL and reached through a link in the images directory. Both
    /// get an ERROR Notify to the conductor, nothing is made, and the agent keeps serving.
    @Test func hostFilesAsSourcesGetAnErrorAndNothingIsMade() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let images = VolumeTestEnvironment.imagesDirectory(of: directory)
            try FileManager.default.createSymbolicLink(atPath: "\(images)/debian.qcow2", withDestinationPath: "/etc/shadow")
            try await AgentHarness.with { harness in
                let agent = try harness.start(VolumeTestEnvironment.driver(directory))
                let specID = Int64.random(in: 1...1_000_000_000)
                let (url, link, good) = (ObjectID(), ObjectID(), ObjectID())
                func request(_ id: ObjectID, source: String?) -> String {
                    let field = source.map { #", "source": "\#($0)""# } ?? ""
                    return #"{"spec_id": \#(specID), "object": {"type": "resource/volume/file", "id": "\#(id)", "status": "allocated", "size": "1gb"\#(field)}}"#
                }
                try await harness.sendRaw(type: "Request", body: request(url, source: "file:///etc/shadow"))
                try await harness.sendRaw(type: "Request", body: request(link, source: "debian.qcow2"))
                try await harness.sendRaw(type: "Request", body: request(good, source: nil))

                let expectations: [(ObjectID, String)] = [
                    (url, "object.source is a URL; images are not fetched from URLs or host paths"),
                    (link, "source debian.qcow2 leads out of this hypervisor's images directory"),
                ]
                for (id, text) in expectations {
                    let notify = try #require(try await harness.waitForNotifies(about: id).first)
                    print("volumer Notify for source \(id == url ? "file:///etc/shadow" : "debian.qcow2 (→ /etc/shadow)"): "
                        + "\(notify.level.rawValue) \(notify.message)")
                    #expect(notify.level == .error)
                    #expect(notify.message.contains(text), "\(notify.message)")
                    #expect(!notify.message.contains("/etc/shadow") || id == url, "where the link leads is not told")
                    #expect(notify.object.url == nil)
                }
                let served = try #require(try await harness.waitForNotifies(about: good).first)
                #expect(served.level == .success)
                #expect(VolumeTestEnvironment.entries(directory) == [good.description], "no volume over /etc/shadow")
                #expect(OwnerOnly.mode(of: "\(directory)/\(good)") == 0o600)
                print("modes: volume \(String(OwnerOnly.mode(of: "\(directory)/\(good)") ?? 0, radix: 8)), data directory "
                    + "\(String(OwnerOnly.mode(of: directory) ?? 0, radix: 8)), held file "
                    + "\(String(OwnerOnly.mode(of: "\(harness.stateDirectory)/held/\(good).json") ?? 0, radix: 8))")
                let held = try FileManager.default.contentsOfDirectory(atPath: "\(harness.stateDirectory)/held")
                #expect(held == ["\(good).json"])
                #expect(OwnerOnly.mode(of: "\(harness.stateDirectory)/held/\(good).json") == 0o600)
                #expect(OwnerOnly.mode(of: "\(harness.stateDirectory)/held") == 0o700)
                try await agent.stopGracefully()
            }
        }
    }

    @Test func heartbeatReportsTheDataDirectorysFreeSpace() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            try await AgentHarness.with { harness in
                let agent = try harness.start(VolumeTestEnvironment.driver(directory))
                let heartbeat = try await poll("the join", every: .milliseconds(20)) { harness.heartbeats().first }
                #expect(heartbeat.agent.type == .agentVolumerFile)
                let free = try #require(try FileManager.default.attributesOfFileSystem(forPath: directory)[.systemFreeSize] as? NSNumber)
                let disk = try #require(heartbeat.agent.capacity?.disk)
                #expect(disk.bytes > 0 && disk.bytes <= free.uint64Value + (1 << 30))
                try await agent.stopGracefully()
            }
        }
    }
}

/// Runs commands for real, but after `qemu-img create` hangs until cancelled: an agent
/// "killed" between making the file and reporting it.
final class StuckAfterCreate: CommandRunner, Sendable {
    private let runner: any CommandRunner
    private let state = Mutex(false)

    init(_ runner: any CommandRunner) {
        self.runner = runner
    }

    var created: Bool { state.withLock { $0 } }

    func run(_ command: Command) async throws -> CommandResult {
        let result = try await runner.run(command)
        if command.arguments.first == "create" {
            state.withLock { $0 = true }
            try await Task.sleep(for: .seconds(3600))
        }
        return result
    }
}
