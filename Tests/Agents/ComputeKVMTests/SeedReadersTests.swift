import AgentRuntime
import Foundation
import Messages
import Testing

@testable import ComputeKVM

/// The seed the agent writes, read by the two readers that matter: the guest image's
/// (`deploy/guest/image/yaml.awk` and `network.awk`, under busybox awk as the guest runs them)
/// and PyYAML's `safe_load`, which real cloud-init uses for meta-data, cloud-config and
/// network-config.
@Suite struct SeedReadersTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let guestImage = repository.appendingPathComponent("deploy/guest/image").path

    func seed() throws -> NoCloudSeed {
        var vm = try ComputeFixtures.readyVM()
        vm.hostname = "web-1.example.org"
        vm.sshAuthorizedKeys = [NoCloudSeedTests.key, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAQC7"]
        return try NoCloudSeed(vm: vm)
    }

    func run(_ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/busybox")))
    func theGuestImageReadsIt() throws {
        let seed = try seed()
        func flat(_ text: String) throws -> String {
            try run(["/bin/busybox", "awk", "-f", "\(Self.guestImage)/yaml.awk"], input: text).output
        }
        #expect(try flat(seed.metaData) == """
            instance-id=56410722-d507-472a-a800-c89211b7c261
            local-hostname=web-1.example.org
            public-keys.0=\(NoCloudSeedTests.key)
            public-keys.1=ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAQC7

            """)
        #expect(try flat(seed.userData).hasPrefix("hostname=web-1.example.org\ndisable_root=false\nssh_authorized_keys.0=\(NoCloudSeedTests.key)\n"))
        let network = try run(["/bin/busybox", "awk", "-f", "\(Self.guestImage)/network.awk"],
                              input: try flat(try #require(seed.networkConfig))).output
        #expect(network == "NIC eth0 mac=52:54:00:ab:cd:ef name=- setname=eth0 dhcp=0 addr=192.168.0.1/24 "
            + "gw=192.168.0.254 dns=192.168.0.254 search=-\n")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func pyYAMLReadsItAsCloudInitExpects() throws {
        let seed = try seed()
        let script = """
            import json, sys, yaml
            docs = sys.stdin.read().split("\\n---FILE---\\n")
            print(json.dumps([yaml.safe_load(d) for d in docs], sort_keys=True))
            """
        let input = [seed.metaData, seed.userData, try #require(seed.networkConfig)].joined(separator: "\n---FILE---\n")
        let result = try run(["/usr/bin/python3", "-c", script], input: input)
        try #require(result.status == 0, "python3 with PyYAML (python3-yaml) could not read the seed")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        #expect(parsed[0]["instance-id"] as? String == "56410722-d507-472a-a800-c89211b7c261")
        #expect(parsed[0]["local-hostname"] as? String == "web-1.example.org")
        #expect((parsed[0]["public-keys"] as? [String])?.count == 2)
        #expect(parsed[1]["hostname"] as? String == "web-1.example.org")
        #expect(parsed[1]["disable_root"] as? Bool == false)
        #expect((parsed[1]["ssh_authorized_keys"] as? [String])?.first == NoCloudSeedTests.key)
        #expect(seed.userData.hasPrefix("#cloud-config\n"), "cloud-init recognises cloud-config by its first line")
        let ethernet = try #require((parsed[2]["ethernets"] as? [String: Any])?["eth0"] as? [String: Any])
        #expect(parsed[2]["version"] as? Int == 2)
        #expect((ethernet["match"] as? [String: String])?["macaddress"] == "52:54:00:ab:cd:ef")
        #expect(ethernet["set-name"] as? String == "eth0")
        #expect(ethernet["addresses"] as? [String] == ["192.168.0.1/24"])
        #expect(ethernet["routes"] as? [[String: String]] == [["to": "0.0.0.0/0", "via": "192.168.0.254"]])
        #expect((ethernet["nameservers"] as? [String: [String]])?["addresses"] == ["192.168.0.254"])
    }
}
