import Foundation
import Messages
import TestSupport
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `n0core-compute-kvm` end to end: the real executable in a network namespace, on libvirt's
/// embedded QEMU driver with QEMU under TCG, a real qcow2 volume and a real bridge, driven
/// through the real broker.
@Suite("Compute agent (RabbitMQ, libvirt, QEMU)",
       .enabled(if: IntegrationEnvironment.hasBroker && NetworkNamespace.isSupported), .serialized)
struct ComputeKVMAgentTests {
    let mac = "52:54:00:4e:30:01"

    /// The seed's VM request (5.1) for a spec of its own, with a real MAC in place of the
    /// placeholder; its volume and network are not ready yet, as in the seed.
    func seedRequest() throws -> RequestMessage {
        var request = try ComputeFixtures.seedRequest()
        request.specID = Int64.random(in: 1...1_000_000_000)
        request.object = try ComputeFixtures.fill(request.object, volumePath: nil, bridge: nil, mac: mac)
        return request
    }

    func with(_ request: RequestMessage, status: String) -> RequestMessage {
        var request = request
        request.object.desiredState = status
        return request
    }

    @Test func seedVMRunsOnItsVolumeAndBridgeThroughEveryStateAndIsDeleted() async throws {
        _ = try IntegrationEnvironment.requireBroker()
        try await ComputeTestBed.with { bed in
            let id = ComputeFixtures.vmID
            let volume = try bed.makeVolume(ComputeFixtures.volumeID)
            try await bed.startAgent()

            // The seed's flow: the request waits for the volume's url and the network's bridge,
            // which come in the volumer's and the porter's Notifies (5.2, 5.3).
            let request = try seedRequest()
            try await bed.send(request)
            try await bed.waitForAgentLog("request parked until its dependencies are ready")
            var volumeNotify = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyVolume, format: .yaml)
            volumeNotify.specID = request.specID
            volumeNotify.object.url = "file://\(volume)"
            var nicNotify = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyNIC, format: .yaml)
            nicNotify.specID = request.specID
            nicNotify.object = try ComputeFixtures.fill(nicNotify.object, volumePath: nil, bridge: bed.bridge, mac: nil)
            nicNotify.object.hwAddr = mac
            try await bed.send(volumeNotify)
            try await bed.send(nicNotify)

            let created = try await bed.waitForNotify(about: id)
            #expect(created.level == .success, "\(created.message)")
            #expect(created.message.hasPrefix("Succeeded to create resource after waiting "), "\(created.message)")
            #expect(created.object.vncPassword == ComputeFixtures.password, "seed 5.3 carries the VM as it is")

            // libvirt's own record of the running guest: the disk, the NIC on the bridge.
            let live = try #require(try bed.liveStatus(of: id))
            #expect(live.values("/domstatus/@state") == ["running"])
            #expect(live.values("//domain/@type") == ["qemu"])
            // The volume, then the VM's cloud-init seed, read-only.
            let seed = "\(bed.stateDirectory)/seeds/n0-\(id).iso"
            #expect(live.values("//domain/devices/disk/source/@file") == [volume, seed])
            #expect(live.values("//domain/devices/disk/driver/@type") == ["qcow2", "raw"])
            #expect(live.values("//domain/devices/disk[readonly]/target/@dev") == ["vdb"])
            #expect(try FileManager.default.attributesOfItem(atPath: seed)[.posixPermissions] as? Int == 0o600)
            #expect(live.values("//domain/devices/interface/source/@bridge") == [bed.bridge])
            #expect(live.values("//domain/devices/interface/mac/@address") == [mac])
            #expect(live.values("//domain/vcpu") == ["2"])
            #expect(live.values("//domain/memory") == ["4194304"])
            // The VNC address libvirt's autoport gave the guest, as the Notify reports it.
            let port = try #require(live.values("//domain/devices/graphics[@type='vnc']/@port").first)
            #expect(created.object.vncAddress == "127.0.0.1:\(port)", "live XML: port \(port)")
            let tap = try #require(live.values("//domain/devices/interface/target/@dev").first)
            #expect(try bed.bridgePorts() == [tap], "the guest's tap is on the bridge")
            #expect(bed.qemuProcesses().count == 1)

            // The same Request again (a redelivery): the same answer, still one guest.
            try await bed.send(request)
            let again = try await bed.waitForNotify(about: id, count: 2)
            #expect(again.level == .success)
            #expect(again.message == "Succeeded to create resource.", "libvirt holds what was asked: \(again.message)")
            #expect(bed.definedDomains() == ["n0-\(id)"])
            #expect(bed.qemuProcesses().count == 1)
            #expect(try bed.bridgePorts() == [tap])

            // The heartbeat's capacity is the host's, as libvirt sees it, through the default
            // allocation ratios: 4 vCPUs a CPU.
            let heartbeat = try await poll("a heartbeat", within: .seconds(30), every: .milliseconds(100)) { bed.heartbeats().first }
            #expect(heartbeat.agent.id == bed.agentID)
            #expect(heartbeat.agent.capacity?.vcpus == 4 * ProcessInfo.processInfo.activeProcessorCount)
            let capacityLine = bed.agentLog.split(separator: "\n").first { $0.contains("host capacity") }
            #expect(capacityLine != nil, "physical and allocatable figures are logged at start")
            print("compute agent at start: \(capacityLine ?? "-")")
            print("heartbeat capacity: \(heartbeat.agent.capacity.map { "\($0)" } ?? "-")")
            #expect((heartbeat.agent.capacity?.memory?.bytes ?? 0) > 1 << 30)

            // A new version with more vcpus: redefined at once, applied at the next start.
            var bigger = request
            bigger.object.vcpus = 4
            try await bed.send(bigger)
            let updated = try await bed.waitForNotify(about: id, count: 3)
            #expect(updated.level == .success)
            #expect(updated.message.hasPrefix("Succeeded to update resource: changed vcpus 2 → 4"), "\(updated.message)")
            #expect(updated.message.contains("the running guest still has the old settings (vcpus 2 → 4)"), "\(updated.message)")
            let persistent = try XMLDocument(contentsOf: URL(fileURLWithPath: "\(bed.root)/etc/qemu/n0-\(id).xml"), options: [])
            #expect(persistent.values("/domain/vcpu") == ["4"])
            #expect(try bed.liveStatus(of: id)?.values("//domain/vcpu") == ["2"])

            // poweroff: the guest (a BIOS without an OS) ignores ACPI and is stopped after the
            // 2 s timeout; the domain stays defined.
            try await bed.send(with(bigger, status: "poweroff"))
            let off = try await bed.waitForNotify(about: id, count: 4)
            #expect(off.level == .success, "\(off.message)")
            #expect(off.message.contains("stopped forcibly"), "\(off.message)")
            #expect(try bed.liveStatus(of: id) == nil)
            #expect(bed.definedDomains() == ["n0-\(id)"])
            _ = try await poll("QEMU to have exited", within: .seconds(30), every: .milliseconds(100)) { bed.qemuProcesses().isEmpty ? true : nil }

            // running again, now with 4 vcpus; then saved: the guest's memory goes to the
            // managed-save image.
            try await bed.send(with(bigger, status: "running"))
            let restarted = try await bed.waitForNotify(about: id, count: 5)
            #expect(restarted.message == "Succeeded to create resource.", "\(restarted.message)")
            #expect(try bed.liveStatus(of: id)?.values("/domstatus/@state") == ["running"])
            #expect(try bed.liveStatus(of: id)?.values("//domain/vcpu") == ["4"])
            try await bed.send(with(bigger, status: "saved"))
            let saved = try await bed.waitForNotify(about: id, count: 6)
            #expect(saved.level == .success, "\(saved.message)")
            #expect(try bed.liveStatus(of: id) == nil)
            #expect(FileManager.default.fileExists(atPath: "\(bed.root)/lib/qemu/save/n0-\(id).save"))

            // running restores it.
            try await bed.send(with(bigger, status: "running"))
            let restored = try await bed.waitForNotify(about: id, count: 7)
            #expect(restored.message == "Succeeded to create resource.", "\(restored.message)")
            #expect(try bed.liveStatus(of: id)?.values("/domstatus/@state") == ["running"])
            #expect(!FileManager.default.fileExists(atPath: "\(bed.root)/lib/qemu/save/n0-\(id).save"))

            // With the agent stopped, libvirt itself (virsh on the same embedded root) sees the
            // running guest, its disk and its interface; the restarted agent takes over again.
            await bed.stopAgent()
            #expect(try bed.virsh(["domstate", "n0-\(id)"]).trimmingCharacters(in: .whitespacesAndNewlines) == "running")
            let interfaces = try bed.virsh(["domiflist", "n0-\(id)"])
            #expect(interfaces.contains(bed.bridge) && interfaces.contains(mac), "\(interfaces)")
            #expect(try bed.virsh(["domblklist", "n0-\(id)"]).contains(volume))
            try await bed.startAgent()
            #expect(!bed.agentLog.contains("is missing on host"), "reconciliation finds the guest it holds")

            // Power across reboots: the guest is stopped while the agent is down (as a host's
            // restart does); the restarted agent starts it again and reports it, with the VNC
            // address it now has.
            await bed.stopAgent()
            // virsh may die of SIGSEGV after destroying (see ComputeTestBed.virsh), and its repeat
            // then finds the domain stopped: the state below is what counts.
            _ = try? bed.virsh(["destroy", "n0-\(id)"])
            #expect(try bed.virsh(["domstate", "n0-\(id)"]).trimmingCharacters(in: .whitespacesAndNewlines) == "shut off")
            try await bed.startAgent()
            let back = try await bed.waitForNotify(about: id, count: 8)
            #expect(back.level == .success, "\(back.message)")
            #expect(back.message.hasPrefix("Restored at agent start: vm resource(\(id)) was found poweroff"), "\(back.message)")
            let relive = try #require(try bed.liveStatus(of: id))
            #expect(relive.values("/domstatus/@state") == ["running"])
            let newPort = try #require(relive.values("//domain/devices/graphics[@type='vnc']/@port").first)
            #expect(back.object.vncAddress == "127.0.0.1:\(newPort)")
            print("after `virsh destroy` and an agent restart: \(back.level) \(back.message) vnc_address=\(back.object.vncAddress ?? "-")")
            #expect(bed.qemuProcesses().count == 1)

            // deleted: no domain left, the volume stays (it is the volumer's).
            try await bed.send(with(bigger, status: "deleted"))
            let deleted = try await bed.waitForNotify(about: id, count: 9)
            #expect(deleted.level == .success, "\(deleted.message)")
            #expect(deleted.message == "Succeeded to delete resource.")
            #expect(bed.definedDomains().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: seed), "the seed goes with the VM")
            #expect(try bed.liveStatus(of: id) == nil)
            #expect(try bed.bridgePorts().isEmpty)
            #expect(FileManager.default.fileExists(atPath: volume))
            await bed.stopAgent()
            #expect(try bed.virsh(["list", "--all", "--name"]).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)

            #expect(!bed.agentLog.contains(ComputeFixtures.password), "the VNC password is in no log line")
            #expect(bed.agentLog.contains("passwd='\(Object.passwordMask)'"), "the XML is logged masked")
        }
    }

    @Test func aVolumeFileThatDoesNotExistIsAnErrorWithLibvirtsReasonAndTheAgentKeepsServing() async throws {
        _ = try IntegrationEnvironment.requireBroker()
        try await ComputeTestBed.with { bed in
            try await bed.startAgent()
            let missing = "\(bed.directory)/v/no-such-volume"
            var broken = try seedRequest()
            broken.object = try ComputeFixtures.fill(broken.object, volumePath: missing, bridge: bed.bridge, mac: mac)
            try await bed.send(broken)
            let failure = try await bed.waitForNotify(about: ComputeFixtures.vmID)
            #expect(failure.level == .error)
            #expect(failure.message.hasPrefix("Failed to create resource: libvirt could not start VM"), "\(failure.message)")
            #expect(failure.message.contains(missing), "\(failure.message)")
            #expect(failure.message.contains("No such file or directory"), "libvirt's own words: \(failure.message)")
            #expect(bed.definedDomains().isEmpty, "the failed definition was rolled back")

            // The next VM, with a volume that exists, runs.
            let good = ObjectID()
            var request = try seedRequest()
            request.object.id = good
            request.object = try ComputeFixtures.fill(request.object, volumePath: try bed.makeVolume(good, size: "1G"),
                                                      bridge: bed.bridge, mac: "52:54:00:4e:30:02")
            try await bed.send(request)
            let served = try await bed.waitForNotify(about: good)
            #expect(served.level == .success, "\(served.message)")
            #expect(try bed.liveStatus(of: good)?.values("/domstatus/@state") == ["running"])
            #expect(bed.definedDomains() == ["n0-\(good)"])
        }
    }
}
