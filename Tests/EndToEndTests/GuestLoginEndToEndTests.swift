import Foundation
import Testing
import TestSupport

/// A VM a user can log into: its volume a qcow2 overlay of the guest image, booted from that
/// volume (no kernel from the host), told its host name, SSH key and fixed address by the
/// cloud-init seed the compute agent made; the test logs in over SSH from the hypervisor's
/// namespace. Deleting the spec removes the VM, its overlay and its seed, not the image.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase && NetworkNamespace.isSupported))
struct GuestLoginEndToEndTests {
    static let hostname = "n0-e2e-login"

    @Test func aVMFromTheImageAnswersSSHWithTheHostNameItWasGiven() async throws {
        let image = try GuestImageFixture.build()
        let keys = NSTemporaryDirectory() + "n0e2e-ssh-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try HostCommand.check(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "n0e2e@test", "-f", "\(keys)/id"])
        let publicKey = try String(contentsOfFile: "\(keys)/id.pub", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        try await Cluster.run { cluster in
            let source = try image.install(in: cluster.imagesDirectory)
            let document = SeedDocuments.submittedSpec
                .replacingOccurrences(of: "    vcpus: 2\n    memory: 4gb\n    vnc_password: hogehoge\n", with: """
                        vcpus: 1
                        memory: 256mb
                        vnc_password: hogehoge
                        hostname: \(Self.hostname)
                        ssh_authorized_keys:
                          - \(publicKey)

                    """)
                .replacingOccurrences(of: "          size: 10gb\n", with: "          size: 1gb\n          source: \(source)\n")
            #expect(document.contains("source: \(source)") && document.contains("hostname: \(Self.hostname)"))

            let posted = ContinuousClock.now
            let spec = try await cluster.submitAndWaitApplied(document)
            let applied = ContinuousClock.now - posted
            let host = try HostView(cluster: cluster, spec: spec)
            let seed = "\(cluster.computeStateDirectory)/seeds/n0-\(spec.vmID).iso"
            #expect(FileManager.default.fileExists(atPath: seed), "the VM's seed")

            // The volume: a qcow2 overlay of the image in the images directory, grown to 1 GiB.
            let info = try HostCommand.check(["qemu-img", "info", "--output=json", "-U", host.volumePath])
            let volume = try #require(try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any])
            let backing = (volume["full-backing-filename"] ?? volume["backing-filename"]) as? String
            print("qemu-img info \(host.volumePath): format \(volume["format"] ?? "?"), virtual size "
                + "\(volume["virtual-size"] ?? "?"), backing file \(backing ?? "none")")
            #expect(volume["format"] as? String == "qcow2")
            #expect(volume["virtual-size"] as? Int == 1 << 30)
            #expect(backing.map { URL(fileURLWithPath: $0).lastPathComponent } == GuestImageFixture.name)
            #expect(backing?.hasPrefix(URL(fileURLWithPath: cluster.imagesDirectory).resolvingSymlinksInPath().path) == true
                    || backing?.hasPrefix(cluster.imagesDirectory) == true, "backed by the copy in the images directory")

            // The guest's console says when its SSH server listens; then SSH from the hypervisor's
            // namespace, until the guest answers.
            _ = try await host.waitForConsoleLine(prefix: "SSHD_READY", timeout: .seconds(180))
            let listening = ContinuousClock.now - posted
            let ssh = ["ssh", "-i", "\(keys)/id", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                       "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "-o", "LogLevel=ERROR", "root@192.168.0.1"]
            var output = ""
            try await waitUntil("the guest answers SSH on 192.168.0.1", within: .seconds(60), every: .milliseconds(200)) {
                let (status, standardOutput) = try await Self.offPool {
                    let result = try cluster.namespace.run(["timeout", "20"] + ssh + ["hostname; ip -4 -o addr show dev eth0; ip route"])
                    return (result.status, result.standardOutput)
                }
                if status == 0 { output = standardOutput }
                return status == 0
            }
            let answered = ContinuousClock.now - posted
            print("$ ip netns exec \(cluster.namespace.name) ssh -i KEY -o StrictHostKeyChecking=no root@192.168.0.1 "
                + "'hostname; ip -4 -o addr show dev eth0; ip route'\n\(output)")
            print("time from POST: spec applied \(Self.seconds(applied)), SSHD_READY on the console "
                + "\(Self.seconds(listening)), SSH answered \(Self.seconds(answered)) (TCG; load average "
                + "\((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?"))")
            let console = (try? String(contentsOfFile: host.consoleLogPath, encoding: .utf8)) ?? ""
            for line in console.components(separatedBy: .newlines)
            where ["NOCLOUD", "ADDRESS", "GATEWAY", "DNS", "SSHD_READY", "GUEST_READY", "DISK"].contains(where: line.hasPrefix) {
                print("guest console: \(line.trimmingCharacters(in: CharacterSet(charactersIn: "\r")))")
            }
            #expect(output.split(separator: "\n").first.map(String.init) == Self.hostname)
            #expect(output.contains("192.168.0.1/24"))
            #expect(output.contains("default via 192.168.0.254"))
            #expect(console.contains("NOCLOUD hostname=\(Self.hostname) instance-id=\(spec.vmID) keys=1 network=static"))
            #expect(!console.contains("LEASE "), "the fixed address came from the seed, not from DHCP")

            try await cluster.deleteAndWaitApplied(spec)
            #expect(!host.domainIsRunning())
            #expect(!FileManager.default.fileExists(atPath: host.volumePath), "the overlay is removed")
            #expect(!FileManager.default.fileExists(atPath: seed), "the seed is removed")
            #expect(FileManager.default.fileExists(atPath: "\(cluster.imagesDirectory)/\(source)"), "the image stays")
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1f s", value)
    }

    /// Runs a blocking command on a thread of its own, off the cooperative pool.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }
}
