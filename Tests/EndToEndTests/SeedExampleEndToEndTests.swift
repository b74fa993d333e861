import Foundation
import Testing
import TestSupport

/// The mission as a user sees it: the seed's example sent to a running system of six separate
/// processes on the real broker and database, with real agents and drivers on a "hypervisor"
/// in a network namespace; then `DELETE` takes everything away again.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase && NetworkNamespace.isSupported))
struct SeedExampleEndToEndTests {
    /// Case 1: the seed's example exactly as written → every object applied, the domain
    /// running, the qcow2 file, the bridge and dnsmasq present; `DELETE` → none of them left;
    /// every service's `/metrics` counted it (``expectDomainMetrics(of:)``).
    @Test func seedExampleAsWrittenIsAppliedAndDeleted() async throws {
        try await Cluster.run { cluster in
            let spec = try await cluster.submitAndWaitApplied(SeedDocuments.submittedSpec)
            let host = try HostView(cluster: cluster, spec: spec)
            #expect(host.domainIsRunning(), "a QEMU process for n0-\(spec.vmID) in the namespace")
            #expect(host.tapsOnBridge() == 1, "the VM's interface is on \(host.bridge)")
            #expect(try host.volumeVirtualSize() == 10 * 1024 * 1024 * 1024)
            #expect(host.dnsmasqCount() == 1)

            try await cluster.deleteAndWaitApplied(spec)
            #expect(!host.domainIsRunning())
            #expect(!host.bridgeExists())
            #expect(!FileManager.default.fileExists(atPath: host.volumePath))
            #expect(host.dnsmasqCount() == 0)
            #expect(try cluster.graphDesiredStates(spec) == ["deleted"])
            try await expectDomainMetrics(of: cluster)
        }
    }

    /// Case 3: a version read back (`GET …/versions/0`, the VNC password masked) and sent again
    /// unchanged (`PUT`) keeps the VM's VNC password: the user's password still logs in to the
    /// real domain's console and the mask does not, also after a power cycle, when the guest
    /// starts from the definition the compute agent wrote from the later versions. The console
    /// is found where the API says (the VM's `vnc_address`, reported by its agent), which is
    /// where its QEMU listens.
    @Test func aVersionReadBackAndSentUnchangedKeepsTheVNCPassword() async throws {
        try await Cluster.run { cluster in
            let spec = try await cluster.submitAndWaitApplied(SeedDocuments.submittedSpec)
            let host = try HostView(cluster: cluster, spec: spec)
            func login(_ password: String) async throws -> VNCLogin.Outcome {
                var address: String?
                try await waitUntil("the VM's vnc_address in the API, where its QEMU listens", within: .seconds(30)) {
                    address = try cluster.vncAddress(ofVM: spec.vmID)
                    return address != nil && address == host.vncPort().map { "127.0.0.1:\($0)" }
                }
                let port = try #require(address?.split(separator: ":").last.flatMap { Int($0) })
                let outcome = try VNCLogin.attempt(namespace: cluster.namespace, port: port, password: password)
                // Secrets stay out of logs, test output included.
                let tried = password == "********" ? "the mask '\(password)'" : "the password the spec set"
                print("VNC \(address!) (the VM's vnc_address) in \(cluster.namespace.name), \(tried): \(outcome)")
                return outcome
            }
            #expect(try await login("hogehoge") == .accepted)

            let read = try cluster.api(.get, "/api/spec/\(spec.id)/versions/0", accept: "application/yaml")
            print("GET /api/spec/\(spec.id)/versions/0 → \(read.status)\n\(read.body)")
            #expect(read.status == 200)
            #expect(read.body.contains("vnc_password: '********'") && !read.body.contains("hogehoge"))
            let put = try await cluster.replaceAndWaitApplied(spec, with: read.body)
            print("PUT /api/spec/\(spec.id) (that body, unchanged) → \(put.status), version 1 applied")
            #expect(!put.body.contains("hogehoge"), "the PUT did not set the password, so it is not echoed")
            #expect(try await login("hogehoge") == .accepted)
            #expect(try await login("********") != .accepted)

            // Power cycle through two more read-back versions: the guest starts again from the
            // domain the agent defined with the password the API kept.
            for (from, to) in [("running", "poweroff"), ("poweroff", "running")] {
                let latest = try cluster.api(.get, "/api/spec/\(spec.id)", accept: "application/json")
                let version = try #require((try JSONSerialization.jsonObject(with: Data(latest.body.utf8)) as? [String: Any])?["version"] as? Int)
                let document = try cluster.api(.get, "/api/spec/\(spec.id)/versions/\(version)", accept: "application/yaml").body
                #expect(document.contains("status: \(from)"))
                let put = try await cluster.replaceAndWaitApplied(
                    spec, with: document.replacingOccurrences(of: "status: \(from)", with: "status: \(to)"))
                print("PUT /api/spec/\(spec.id) with status: \(to) → \(put.status), version \(version + 1) applied")
                #expect(host.domainIsRunning() == (to == "running"))
                #expect((try cluster.vncAddress(ofVM: spec.vmID) != nil) == (to == "running"),
                        "a VM that is not running has no VNC address")
            }
            #expect(try await login("hogehoge") == .accepted)
            #expect(try await login("********") != .accepted)
        }
    }

    /// Case 4: overcommit. The seed's spec with a second 2-vCPU VM beside the first: the
    /// hypervisor (2 cores here) offers 4 vCPUs a core by default, so both are placed on it and
    /// both run, each with a VNC console of its own.
    @Test func twoTwoVCPUVMsRunOnOneTwoCoreHost() async throws {
        let second = """
              web2:
                type: resource/vm/kvm
                arch: amd64
                vcpus: 2
                memory: 1gb
                vnc_password: hogehoge
                dependencies:
                  - object:
                      type: resource/nic
                      ip_addresses:
                        - 192.168.0.2
                      dependencies:
                        - object:
                            variable: var_network
                          property:
                            r: n0stack/n0core/port/network
                    property:
                      r: n0stack/n0core/vm/attachments
                  - object:
                      type: resource/volume/file
                      name: second_volume
                      size: 1gb
                    property:
                      r: n0stack/n0core/vm/attachments
                      n0stack/n0core/vm/boot_priority: 1

            """
        let document = SeedDocuments.submittedSpec.replacingOccurrences(of: "  var_network:\n", with: second + "  var_network:\n")
        #expect(document != SeedDocuments.submittedSpec)
        try await Cluster.run { cluster in
            let spec = try await cluster.submitAndWaitApplied(document)
            let graph = try cluster.api(.get, "/api/graph?spec_id=\(spec.id)")
            let nodes = (try JSONSerialization.jsonObject(with: Data(graph.body.utf8)) as? [String: Any])?["nodes"] as? [[String: Any]] ?? []
            let vms = nodes.filter { $0["type"] as? String == "resource/vm/kvm" }
            #expect(vms.count == 2)
            let addresses = vms.compactMap { ($0["object"] as? [String: Any])?["vnc_address"] as? String }
            print("two 2-vCPU VMs on a \(ProcessInfo.processInfo.activeProcessorCount)-core host, VNC at \(addresses.sorted())")
            #expect(Set(addresses).count == 2, "each VM has a console of its own: \(addresses)")
            let qemus = cluster.namespace.processIDs().filter { pid in
                ((try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? "").hasPrefix("qemu-system")
            }
            #expect(qemus.count == 2, "both guests run")
            try await cluster.deleteAndWaitApplied(spec)
        }
    }

    /// Case 2: the same VM booting the guest fixture directly → its serial console shows the
    /// lease of the NIC's fixed address and a 10 GiB first disk.
    @Test func guestBootsWithTheLeaseOfItsFixedAddress() async throws {
        let guest = try GuestFixture.build()
        try await Cluster.run { cluster in
            let images = try guest.install(in: cluster.imagesDirectory)
            let document = SeedDocuments.submittedSpec.replacingOccurrences(
                of: "    vnc_password: hogehoge\n",
                with: """
                    vnc_password: hogehoge
                    kernel: \(images.kernel)
                    initrd: \(images.initrd)
                    cmdline: console=ttyS0

                """)
            let spec = try await cluster.submitAndWaitApplied(document)
            let host = try HostView(cluster: cluster, spec: spec)
            let lease = try await host.waitForConsoleLine(prefix: "LEASE ", timeout: .seconds(90))
            print("guest console: \(lease)")
            #expect(lease == "LEASE 192.168.0.1", "the NIC's fixed address")
            let disk = try await host.waitForConsoleLine(prefix: "DISK ", timeout: .seconds(30))
            print("guest console: \(disk)")
            #expect(disk == "DISK vda 10737418240 bytes", "a 10 GiB first disk")

            // The same log through the API: relayed from the compute agent over the broker.
            let console = try cluster.api(.get, "/api/objects/\(spec.vmID)/console?lines=10000", accept: "text/plain")
            #expect(console.status == 200, "\(console.body.prefix(300))")
            #expect(console.body.contains("LEASE 192.168.0.1"), "the API's console shows the lease")
            print("console through the API: \(console.body.utf8.count) bytes, "
                + "\(console.body.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("LEASE") })")
            let tail = try cluster.api(.get, "/api/objects/\(spec.vmID)/console?lines=1", accept: "text/plain")
            #expect(tail.status == 200 && tail.body.split(whereSeparator: \.isNewline).count == 1, "one line: \(tail.body.prefix(300))")
            print("console through the API, lines=1: \(tail.body.debugDescription)")
            // Followed: the last lines, then held open until api.console_follow_seconds (3 s here).
            let clock = ContinuousClock()
            let started = clock.now
            let followed = try cluster.api(.get, "/api/objects/\(spec.vmID)/console?lines=2&follow=true", accept: "text/plain")
            let held = clock.now - started
            #expect(followed.status == 200 && followed.body.hasSuffix("GUEST_READY\r\n"), "\(followed.body.prefix(300))")
            #expect(held >= .seconds(2.5), "held open for \(held)")
            print("console followed through the API for \(held): \(followed.body.debugDescription)")

            try await cluster.deleteAndWaitApplied(spec)
            #expect(!host.domainIsRunning())
            #expect(!host.bridgeExists())
            #expect(host.dnsmasqCount() == 0)
        }
    }
}
