import Foundation
import Messages
import Testing

@testable import AgentRuntime

/// What agents keep on disk is their owner's only, whatever the umask (tests run under 022,
/// which would leave files 0644 and directories 0755).
@Suite struct OwnerOnlyTests {
    func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "n0core-owner-only-\(UUID().uuidString.lowercased())"
    }

    @Test func stateFilesAndTheirDirectoriesAreTheOwnersOnly() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let state = "\(root)/agent/state"
        _ = try AgentIdentity.load(configuredAgentID: nil, configuredHostID: ObjectID(), stateDirectory: state,
                                   machineIDPath: "/nonexistent")
        #expect(OwnerOnly.mode(of: "\(root)/agent") == 0o700, "parents it made too")
        #expect(OwnerOnly.mode(of: state) == 0o700)
        #expect(OwnerOnly.mode(of: "\(state)/agent-id") == 0o600)

        let held = try HeldObjects(stateDirectory: state)
        let volume = Object(type: .volumeFile, id: ObjectID(), desiredState: "allocated", size: Size(1, .gb))
        try held.hold(volume, specID: 1, attempt: 1)
        #expect(OwnerOnly.mode(of: "\(state)/held") == 0o700)
        #expect(OwnerOnly.mode(of: "\(state)/held/\(volume.id!).json") == 0o600)
        try held.release(volume, specID: 1, attempt: 2)
        #expect(OwnerOnly.mode(of: "\(state)/held/\(volume.id!).json") == 0o600, "tombstones too")
    }

    @Test func existingDirectoriesKeepTheirModeAndRewrittenFilesAreTightened() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try OwnerOnly.createDirectory(atPath: "\(root)/inner")
        #expect(OwnerOnly.mode(of: root) == 0o755, "an operator's directory is left as it is")
        #expect(OwnerOnly.mode(of: "\(root)/inner") == 0o700)

        let file = "\(root)/inner/old.json"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644]))
        try AtomicFile.write(Data("{\"new\": true}".utf8), to: URL(fileURLWithPath: file))
        #expect(OwnerOnly.mode(of: file) == 0o600)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "{\"new\": true}")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/inner") == ["old.json"], "no temporary left")

        let handle = try OwnerOnly.openForWriting(file)
        try handle.close()
        #expect(OwnerOnly.mode(of: file) == 0o600)
        #expect(throws: (any Error).self) { try OwnerOnly.createFile(atPath: file, contents: Data()) }
    }
}
