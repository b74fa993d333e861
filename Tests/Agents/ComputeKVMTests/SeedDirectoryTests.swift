import AgentRuntime
import Foundation
import Logging
import Messages
import Testing

@testable import ComputeKVM

/// The seed image on disk, made by the real `genisoimage` and read back with `isoinfo`: label
/// `cidata`, the three files with their names, owner-only modes, rewritten only when a file
/// changes, removed with the VM.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/genisoimage")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/isoinfo")))
struct SeedDirectoryTests {
    let root = NSTemporaryDirectory() + "n0core-seeds-\(UUID().uuidString.lowercased())"
    var directory: SeedDirectory {
        SeedDirectory(path: "\(root)/seeds", commands: ProcessCommandRunner(logger: Logger(label: "test")))
    }
    let id = ComputeFixtures.vmID

    func isoinfo(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/isoinfo")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func writesAReadableCidataImageOnlyWhenItChanges() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        var vm = try ComputeFixtures.readyVM()
        vm.hostname = "web-1"
        vm.userData = "#!/bin/sh\necho secret\n"
        let seed = try NoCloudSeed(vm: vm)
        #expect(try await directory.write(seed, for: id))
        let image = "\(root)/seeds/n0-\(id).iso"
        #expect(OwnerOnly.mode(of: "\(root)/seeds") == 0o700)
        #expect(OwnerOnly.mode(of: image) == 0o600)
        #expect(OwnerOnly.mode(of: "\(root)/seeds/n0-\(id)/user-data") == 0o600)

        let volume = try isoinfo(["-d", "-i", image])
        #expect(volume.contains("Volume id: cidata"))
        #expect(volume.contains("Rock Ridge") && volume.contains("Joliet"))
        let listing = try isoinfo(["-R", "-f", "-i", image])
        #expect(Set(listing.split(separator: "\n").map(String.init)) == ["/meta-data", "/user-data", "/network-config"])
        #expect(try isoinfo(["-R", "-x", "/user-data", "-i", image]) == "#!/bin/sh\necho secret\n")
        #expect(try isoinfo(["-R", "-x", "/meta-data", "-i", image]) == seed.metaData)

        let before = try FileManager.default.attributesOfItem(atPath: image)[.modificationDate] as? Date
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await !directory.write(seed, for: id), "the same seed is not written again")
        #expect(try FileManager.default.attributesOfItem(atPath: image)[.modificationDate] as? Date == before)

        vm.hostname = "web-2"
        #expect(try await directory.write(try NoCloudSeed(vm: vm), for: id))
        #expect(try isoinfo(["-R", "-x", "/meta-data", "-i", image]).contains("local-hostname: \"web-2\""))
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(root)/seeds").sorted()
        #expect(names == ["n0-\(id)", "n0-\(id).iso"], "nothing staged is left behind")

        try directory.remove(id)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/seeds").isEmpty)
        try directory.remove(id)
    }

    @Test func aMissingToolSaysWhatToInstall() async throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let missing = SeedDirectory(path: "\(root)/seeds", commands: ProcessCommandRunner(
            logger: Logger(label: "test"), environment: ["PATH": "/nonexistent"]))
        do {
            try await missing.write(try NoCloudSeed(vm: try ComputeFixtures.readyVM()), for: id)
            Issue.record("written without genisoimage")
        } catch let failure as AgentFailure {
            #expect(failure.message.contains("genisoimage is not installed"), "\(failure.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(root)/seeds/n0-\(id).iso"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/seeds/n0-\(id).new"))
    }
}
