import Foundation
import Testing
import TestSupport

/// The mission as a user sees it: the seed's example sent to a running system of six separate
/// processes on the real broker and database, with real agents and drivers on a "hypervisor"
/// in a network namespace; then `DELETE` takes everything away again.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase && NetworkNamespace.isSupported))
struct SeedExampleEndToEndTests {
    /// Case 1: the seed's example exactly as written → every object applied, the domain
    /// running, the qcow2 file, the bridge and dnsmasq present; `DELETE` → none of them left.
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
        }
    }

    /// Case 2: the same VM booting the guest fixture directly → its serial console shows the
    /// lease of the NIC's fixed address and a 10 GiB first disk.
    @Test func guestBootsWithTheLeaseOfItsFixedAddress() async throws {
        let guest = try GuestFixture.build()
        try await Cluster.run { cluster in
            let document = SeedDocuments.submittedSpec.replacingOccurrences(
                of: "    vnc_password: hogehoge\n",
                with: """
                    vnc_password: hogehoge
                    kernel: file://\(guest.kernel)
                    initrd: file://\(guest.initrd)
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

            try await cluster.deleteAndWaitApplied(spec)
            #expect(!host.domainIsRunning())
            #expect(!host.bridgeExists())
            #expect(host.dnsmasqCount() == 0)
        }
    }
}
