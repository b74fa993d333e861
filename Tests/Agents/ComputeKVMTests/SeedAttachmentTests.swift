import AgentRuntime
import Foundation
import Logging
import Messages
import Testing

@testable import ComputeKVM

/// The seed as part of the VM: a read-only raw virtio disk after the volumes, written before
/// the domain is defined, rewritten when the VM's guest fields change, removed with the VM.
@Suite struct SeedAttachmentTests {
    let id = ComputeFixtures.vmID

    @Test func theSeedIsTheLastDiskReadOnlyAndNeverBooted() throws {
        var settings = ComputeFixtures.settings
        settings.seedsDirectory = "/var/lib/n0core/compute-kvm/seeds"
        let definition = try DomainDefinition(vm: try ComputeFixtures.readyVM(), settings: settings)
        #expect(definition.disks == [
            .init(path: "/var/lib/n0core/volumes/d99163ed-0093-40a0-a61b-365a1aece509", target: "vda", bootOrder: 1),
            .init(path: "/var/lib/n0core/compute-kvm/seeds/n0-\(id).iso", target: "vdb", bootOrder: nil,
                  format: "raw", readOnly: true),
        ])
        let xml = DomainXML.render(definition)
        #expect(xml.contains("""
                <disk type='file' device='disk'>
                  <driver name='qemu' type='raw'/>
                  <source file='/var/lib/n0core/compute-kvm/seeds/n0-\(id).iso'/>
                  <target dev='vdb' bus='virtio'/>
                  <readonly/>
                </disk>
            """))
        #expect(try DomainXML.parse(xml) == definition)

        // A domain defined before seeds existed gains one: a change, so it is redefined.
        let without = try DomainDefinition(vm: try ComputeFixtures.readyVM(), settings: ComputeFixtures.settings)
        #expect(definition.changes(from: without).first?.contains("(read-only)") == true)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/genisoimage")))
    func theDriverWritesTheSeedBeforeDefiningAndRemovesItWithTheVM() async throws {
        let root = NSTemporaryDirectory() + "n0core-compute-seed-\(UUID().uuidString.lowercased())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let hypervisor = FakeHypervisor()
        let logs = LogRecorder()
        let configuration = ComputeKVMConfiguration(
            libvirtURI: "test:///fake", virtType: .qemu, shutdownTimeout: .milliseconds(200),
            consoleDirectory: "\(root)/console", seedsDirectory: "\(root)/seeds")
        let driver = ComputeKVMDriver(configuration: configuration, hypervisor: hypervisor, logger: logs.logger,
                                      shutdownPollInterval: .milliseconds(10))
        var vm = try ComputeFixtures.readyVM()
        vm.hostname = "web-1"
        vm.userData = "#!/bin/sh\necho topsecret\n"
        vm.sshAuthorizedKeys = [NoCloudSeedTests.key]
        try driver.validate(vm)
        _ = try await driver.apply(vm)
        let image = "\(root)/seeds/n0-\(id).iso"
        #expect(FileManager.default.fileExists(atPath: image))
        #expect(try await hypervisor.xml(of: id, inactive: true).contains("<source file='\(image)'/>"))
        #expect(hypervisor.domain(id)?.isActive == true)

        // The same VM again: nothing rewritten, nothing redefined.
        let written = try FileManager.default.attributesOfItem(atPath: image)[.modificationDate] as? Date
        hypervisor.clearCalls()
        _ = try await driver.apply(vm)
        #expect(hypervisor.calls.isEmpty)
        #expect(try FileManager.default.attributesOfItem(atPath: image)[.modificationDate] as? Date == written)

        // New user-data: a new seed, the same domain.
        vm.userData = "#!/bin/sh\necho other\n"
        let rewritten = try await driver.apply(vm)
        #expect(hypervisor.calls.isEmpty, "the domain still points at the same image")
        #expect(rewritten.message == "Succeeded to update resource: its cloud-init seed changed; the running guest "
            + "reads it when it next starts.")
        #expect(String(decoding: FileManager.default.contents(atPath: "\(root)/seeds/n0-\(id)/user-data") ?? Data(),
                       as: UTF8.self) == "#!/bin/sh\necho other\n")

        vm.desiredState = "deleted"
        _ = try await driver.apply(vm)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/seeds").isEmpty)
        let logged = logs.all.joined(separator: "\n")
        #expect(logged.contains("wrote the VM's cloud-init seed"))
        #expect(!logged.contains("topsecret") && !logged.contains("other\n") && !logged.contains("AAAAC3"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/genisoimage")))
    func aFailedStartOfANewVMLeavesNoSeed() async throws {
        let root = NSTemporaryDirectory() + "n0core-compute-seed-\(UUID().uuidString.lowercased())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let hypervisor = FakeHypervisor()
        hypervisor.state.withLock {
            $0.startFailure = LibvirtError(operation: "virDomainCreate", code: 1, message: "no room")
        }
        let configuration = ComputeKVMConfiguration(
            libvirtURI: "test:///fake", virtType: .qemu, consoleDirectory: "\(root)/console", seedsDirectory: "\(root)/seeds")
        let driver = ComputeKVMDriver(configuration: configuration, hypervisor: hypervisor, logger: Logger(label: "test"))
        await #expect(throws: AgentFailure.self) { try await driver.apply(try ComputeFixtures.readyVM()) }
        #expect(hypervisor.domain(id) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/seeds").isEmpty)
    }

    @Test func theDriverRefusesBadGuestFieldsBeforeAnythingIsMade() throws {
        let configuration = ComputeKVMConfiguration(libvirtURI: "test:///fake", consoleDirectory: "/nonexistent",
                                                    seedsDirectory: "/nonexistent/seeds")
        let driver = ComputeKVMDriver(configuration: configuration, hypervisor: FakeHypervisor(),
                                      logger: Logger(label: "test"))
        var vm = try ComputeFixtures.readyVM()
        vm.hostname = "bad_name"
        #expect(throws: AgentFailure.self) { try driver.validate(vm) }
    }
}
