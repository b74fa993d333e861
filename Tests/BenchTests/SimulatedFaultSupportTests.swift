import AgentRuntime
import Foundation
import Messages
import SimulatedHypervisors
import Testing

@Suite("Simulated hypervisors under fault injection")
struct SimulatedFaultSupportTests {
    @Test("with an apply delay, an apply under way leaves a marker named after the object, removed when it ends")
    func applyingMarker() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("applying-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(directory)/left-by-a-killed-process", contents: nil)
        let driver = SimulatedDriver(agentType: .agentPorterVLAN, applyDelay: .milliseconds(300), applyingDirectory: directory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "stale markers are cleared at start")
        let id = ObjectID()
        let apply = Task { try await driver.apply(Object(type: .networkVLAN, id: id, desiredState: "applied")) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [id.description])
        _ = try await apply.value
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    @Test("without a delay no marker is written")
    func noDelayNoMarker() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("applying-\(UUID().uuidString)").path
        let driver = SimulatedDriver(agentType: .agentPorterVLAN, applyingDirectory: directory)
        _ = try await driver.apply(Object(type: .networkVLAN, id: ObjectID(), desiredState: "applied"))
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("a restarted simulated agent starts with what its host already has")
    func restoring() async throws {
        let volume = Object(type: .volumeFile, id: ObjectID(), desiredState: "allocated", size: Size(10, .gb))
        let driver = SimulatedDriver(agentType: .agentVolumerFile, restoring: [volume])
        #expect(try await driver.inventory() == [volume])
    }
}
