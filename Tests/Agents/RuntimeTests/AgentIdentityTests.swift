import Foundation
import Messages
import ServiceSupport
import Testing

@testable import AgentRuntime

@Suite struct AgentIdentityTests {
    func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "n0core-identity-\(UUID().uuidString)/state"
    }

    @Test func generatedOnceAndKept() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let first = try AgentIdentity.load(configuredAgentID: nil, configuredHostID: nil, stateDirectory: directory,
                                           machineIDPath: "/nonexistent")
        let second = try AgentIdentity.load(configuredAgentID: nil, configuredHostID: nil, stateDirectory: directory,
                                            machineIDPath: "/nonexistent")
        #expect(first == second)
        #expect(first.agentID != first.hostID)
        let kept = try String(contentsOfFile: directory + "/agent-id", encoding: .utf8)
        #expect(kept == first.agentID.description + "\n")
    }

    @Test func configuredValuesWin() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let (agent, host) = (ObjectID(), ObjectID())
        _ = try AgentIdentity.load(configuredAgentID: nil, configuredHostID: nil, stateDirectory: directory)
        let identity = try AgentIdentity.load(configuredAgentID: agent, configuredHostID: host, stateDirectory: directory)
        #expect(identity == AgentIdentity(agentID: agent, hostID: host))
    }

    @Test func hostIDComesFromTheMachineID() throws {
        let directory = temporaryDirectory()
        let root = (directory as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "3d1219c7c4c5404aaa1f6d2a48adfda4\n".write(toFile: root + "/machine-id", atomically: true, encoding: .utf8)
        let identity = try AgentIdentity.load(configuredAgentID: nil, configuredHostID: nil, stateDirectory: directory,
                                              machineIDPath: root + "/machine-id")
        #expect(identity.hostID == ObjectID("3d1219c7-c4c5-404a-aa1f-6d2a48adfda4"))
    }

    @Test func aCorruptKeptFileIsAnErrorNotANewIdentity() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "garbage".write(toFile: directory + "/agent-id", atomically: true, encoding: .utf8)
        #expect(throws: AgentFailure.self) {
            try AgentIdentity.load(configuredAgentID: nil, configuredHostID: nil, stateDirectory: directory)
        }
    }

    @Test func configurationKeysAndDefaults() async throws {
        let agent = ObjectID()
        let configured = try await ServiceConfiguration.load(file: nil, environment: [
            "N0CORE_AGENT_ID": agent.description,
            "N0CORE_AGENT_DEPENDENCY_TIMEOUT_SECONDS": "5",
            "N0CORE_AGENT_STATE_DIR": "/tmp/x",
        ])
        let custom = try AgentConfiguration(reader: configured.reader, agentType: .agentVolumerFile, prefetch: 8)
        #expect(custom.agentID == agent)
        #expect(custom.dependencyTimeout == .seconds(5))
        #expect(custom.stateDirectory == "/tmp/x")
        #expect(custom.prefetch == 8)

        let empty = try await ServiceConfiguration.load(file: nil, environment: [:])
        let defaults = try AgentConfiguration(reader: empty.reader, agentType: .agentVolumerFile, prefetch: 32)
        #expect(defaults.agentID == nil && defaults.hostID == nil)
        #expect(defaults.stateDirectory == "/var/lib/n0core/volumer-file")
        #expect(defaults.heartbeatInterval == .seconds(10))
        #expect(defaults.dependencyTimeout == .seconds(60))

        let bad = try await ServiceConfiguration.load(file: nil, environment: ["N0CORE_HOST_ID": "host-1"])
        #expect(throws: ConfigurationError.self) {
            try AgentConfiguration(reader: bad.reader, agentType: .agentComputeKVM, prefetch: 32)
        }
    }
}
