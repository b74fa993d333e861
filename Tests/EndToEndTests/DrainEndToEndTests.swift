import Foundation
import Testing
import TestSupport

/// Draining a hypervisor moves its VM, with the data of its file volume, to another one: two
/// hypervisor namespaces joined by an underlay, a VM whose guest writes a mark on its disk, a
/// drain of the VM's host through the API. The guest boots again on the other host from a copy of
/// its volume (it finds its mark and gets its fixed address), and the old copy is removed only
/// once the new one is applied.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase && NetworkNamespace.isSupported))
struct DrainEndToEndTests {
    static let address = "192.168.0.10"
    static let mark = "moved-ok"

    static func document(kernel: String, initrd: String) -> String {
        """
        spec:
          web:
            type: resource/vm/kvm
            arch: amd64
            vcpus: 1
            memory: 256mb
            kernel: \(kernel)
            initrd: \(initrd)
            cmdline: console=ttyS0 n0core.mark=\(mark)
            dependencies:
              - object:
                  type: resource/volume/file
                  size: 256mb
                property: {r: n0stack/n0core/vm/attachments, n0stack/n0core/vm/boot_priority: 1}
              - object:
                  type: resource/nic
                  ip_addresses: [\(address)]
                  dependencies:
                    - object:
                        type: resource/network/vlan
                        subnets:
                          - cidr: 192.168.0.0/24
                            dhcp: {range: 192.168.0.100-192.168.0.127, gateway: 192.168.0.254}
                        parameters: {vlan_id: 100}
                      property: {r: n0stack/n0core/port/network}
                property: {r: n0stack/n0core/vm/attachments}

        """
    }

    @Test func drainingAHostMovesItsVMWithTheDataOfItsVolume() async throws {
        let guest = try GuestFixture.build()
        try await Cluster.run(hypervisors: 2) { cluster in
            var images: (kernel: String, initrd: String)?
            for hypervisor in cluster.hypervisors { images = try guest.install(in: hypervisor.imagesDirectory) }
            let spec = try await cluster.submitAndWaitApplied(
                Self.document(kernel: images!.kernel, initrd: images!.initrd), timeout: .seconds(180))
            let (specID, vm, volume) = (spec.id, spec.vmID, spec.volumeID)
            let hostOf = Dictionary(uniqueKeysWithValues: cluster.hypervisors.flatMap { hypervisor in
                hypervisor.agentIDs.values.map { ($0, hypervisor) }
            })
            func placement(of id: String) throws -> Cluster.Hypervisor? {
                try cluster.graphEdges(spec: specID)
                    .first { $0.source == id && $0.relation == "n0stack/n0core/resource/scheduled" }.flatMap { hostOf[$0.target] }
            }
            let old = try #require(try placement(of: vm))
            let new = try #require(cluster.hypervisors.first { $0.index != old.index })
            #expect(try placement(of: volume)?.index == old.index)
            let oldConsole = "\(old.computeStateDirectory)/console/n0-\(vm).log"
            let written = try await HostView.waitForLine(prefix: "DISK_MARK", in: oldConsole, timeout: .seconds(120))
            #expect(written == "DISK_MARK_WRITTEN \(Self.mark)", "the first boot finds a new disk and marks it")
            print("before the drain: VM \(vm) and volume \(volume) on hypervisor \(old.index) (host \(old.hostID)); "
                + "console: \(written)")

            let drained = try cluster.api(.put, "/api/hosts/\(old.hostID)/drain?reason=maintenance")
            try #require(drained.status == 200, "PUT drain answered \(drained.status): \(drained.body)")

            // The guest boots again on the other host, from a copy of its disk: it finds its mark.
            try await waitUntil("the VM is placed on hypervisor \(new.index)", within: .seconds(60)) {
                try placement(of: vm)?.index == new.index && placement(of: volume)?.index == new.index
            }
            let newConsole = "\(new.computeStateDirectory)/console/n0-\(vm).log"
            let found = try await HostView.waitForLine(prefix: "DISK_MARK", in: newConsole, timeout: .seconds(180))
            #expect(found == "DISK_MARK \(Self.mark)", "the moved volume holds what the guest wrote before the move")
            let lease = try await HostView.waitForLine(prefix: "LEASE ", in: newConsole, timeout: .seconds(120))
            #expect(lease == "LEASE \(Self.address)", "the fixed address on the new host")

            // The old copy goes once the new one is applied; nothing of the VM is left there.
            let oldFile = "\(old.volumeDirectory)/\(volume)"
            try await waitUntil("the old copy of the volume is removed", within: .seconds(60)) {
                !FileManager.default.fileExists(atPath: oldFile)
            }
            #expect(FileManager.default.fileExists(atPath: "\(new.volumeDirectory)/\(volume)"))
            #expect(!MultiHostNetworkEndToEndTests.commandLines(in: old.namespace).contains {
                $0.contains("qemu-system") && $0.contains("n0-\(vm)")
            }, "the old guest is gone")
            let host = try cluster.api(.get, "/api/hosts/\(old.hostID)")
            let detail = try #require(try JSONSerialization.jsonObject(with: Data(host.body.utf8)) as? [String: Any])
            let left = (detail["objects"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(left.allSatisfy { $0 == "resource/network/vlan" }, "only a network may stay on the drained host: \(left)")
            // The spec's log tells the move: the copy's source kept until the copy was applied.
            let log = try cluster.api(.get, "/api/spec/\(specID)/events")
            let events = ((try JSONSerialization.jsonObject(with: Data(log.body.utf8)) as? [String: Any])?["events"] as? [[String: Any]] ?? [])
                .map { "\($0["kind"] as? String ?? "?") \(($0["object_id"] as? String)?.prefix(8) ?? "-"): \($0["message"] as? String ?? "")" }
            #expect(events.contains { $0.hasPrefix("ABANDONED \(volume.prefix(8))") && $0.contains("as a copy") })
            #expect(events.contains { $0.hasPrefix("ABANDONED \(volume.prefix(8))") && $0.contains("removes the copy this volume was moved from") })
            print("after the drain: VM and volume on hypervisor \(new.index) (host \(new.hostID)); console: \(found) | \(lease); "
                + "the old copy is removed; left on the drained host: \(left)")
            print("events:\n  " + events.joined(separator: "\n  "))
        }
    }
}
