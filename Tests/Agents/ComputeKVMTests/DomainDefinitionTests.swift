import AgentRuntime
import Foundation
import Messages
import Testing

@testable import ComputeKVM

/// What the agent refuses in a VM, and how it says what changed between two definitions.
@Suite struct DomainDefinitionTests {
    /// The message of the `AgentFailure` that `body` throws.
    func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let failure as AgentFailure {
            return failure.message
        } catch {
            return "unexpected \(error)"
        }
    }

    func refusal(_ change: (inout Object) -> Void) throws -> String? {
        var vm = try ComputeFixtures.readyVM()
        change(&vm)
        return failure { _ = try DomainDefinition(vm: vm, settings: ComputeFixtures.settings) }
    }

    @Test func missingOrWrongVMFieldsAreRefusedNamingTheField() throws {
        #expect(try refusal { $0.vcpus = nil }?.contains("object.vcpus is required") == true)
        #expect(try refusal { $0.vcpus = 0 }?.contains("vcpus 0 must be at least 1") == true)
        #expect(try refusal { $0.memory = nil }?.contains("object.memory is required") == true)
        #expect(try refusal { $0.memory = Size(bytes: 1_500_000) }?.contains("whole number of megabytes") == true)
        #expect(try refusal { $0.arch = "sparc" }?.contains("arch 'sparc' is not supported") == true)
        #expect(try refusal { $0.kernel = "http://example.com/vmlinuz" }?.contains("kernel is a URL") == true)
        #expect(try refusal { $0.initrd = "initrd.img" }?.contains("initrd needs kernel") == true)
        #expect(try refusal { $0.cmdline = "quiet" }?.contains("cmdline needs kernel") == true)
    }

    /// Kernels and initrds come from the images directory only: a host path in any form, or a
    /// link in the directory leading out of it, is refused; names are checked by their form
    /// before the files need to exist.
    @Test func kernelAndInitrdComeOnlyFromTheImagesDirectory() throws {
        let root = NSTemporaryDirectory() + "n0core-compute-images-\(UUID().uuidString.lowercased())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let images = "\(root)/images"
        try FileManager.default.createDirectory(atPath: "\(images)/debian", withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: "\(images)/debian/vmlinuz", contents: Data("kernel".utf8)))
        #expect(FileManager.default.createFile(atPath: "\(images)/debian/initrd.img", contents: Data("initrd".utf8)))
        try FileManager.default.createSymbolicLink(atPath: "\(images)/shadow", withDestinationPath: "/etc/shadow")
        var settings = ComputeFixtures.settings
        settings.imagesDirectory = images
        func define(kernel: String, initrd: String? = nil) throws -> DomainDefinition {
            var vm = try ComputeFixtures.readyVM()
            vm.kernel = kernel
            vm.initrd = initrd
            return try DomainDefinition(vm: vm, settings: settings)
        }
        let real = URL(fileURLWithPath: images).resolvingSymlinksInPath().path
        let boot = try define(kernel: "debian/vmlinuz", initrd: "debian/initrd.img").directBoot
        #expect(boot == DomainDefinition.DirectBoot(kernel: "\(real)/debian/vmlinuz", initrd: "\(real)/debian/initrd.img", cmdline: nil))

        let refusals: [(String, String?, String)] = [
            ("file:///etc/shadow", nil, "kernel is a URL"),
            ("/etc/shadow", nil, "kernel is an absolute path"),
            ("debian/../../../../etc/shadow", nil, "kernel has a '..' part"),
            ("shadow", nil, "kernel shadow leads out of this hypervisor's images directory"),
            ("debian/vmlinuz", "shadow", "initrd shadow leads out of this hypervisor's images directory"),
            ("debian/vmlinuz", "/etc/shadow", "initrd is an absolute path"),
            ("debian", nil, "kernel debian in \(images) is not a regular file"),
            ("debian/missing", nil, "kernel debian/missing: there is no such image"),
        ]
        for (kernel, initrd, reason) in refusals {
            let message = failure { _ = try define(kernel: kernel, initrd: initrd) }
            #expect(message?.contains(reason) == true, "\(kernel) \(initrd ?? ""): \(message ?? "accepted")")
        }
        // Checked when the request arrives: the form only, not yet the file.
        var vm = try ComputeFixtures.readyVM()
        vm.kernel = "debian/not-there-yet"
        #expect(failure { try DomainDefinition.check(vm: vm) } == nil)
        vm.kernel = "file:///etc/shadow"
        #expect(failure { try DomainDefinition.check(vm: vm) }?.contains("kernel is a URL") == true)
    }

    @Test func aBadPasswordIsRefusedWithoutQuotingIt() throws {
        let secret = "much-too-long-secret"
        let message = try #require(try refusal { $0.vncPassword = secret })
        #expect(message.contains("vnc_password must be 1 to 8 printable ASCII characters"))
        #expect(!message.contains(secret))
    }

    @Test func theSeedsPlaceholderMACIsRefusedAsBroadcast() throws {
        let request = try ComputeFixtures.seedRequest()
        let message = try #require(failure { try DomainDefinition.check(vm: request.object) })
        #expect(message.contains("hw_addr ff:ff:ff:ff:ff:ff is a multicast or broadcast address"), "\(message)")
        #expect(try refusal { _ in } == nil)
        var vm = try ComputeFixtures.readyVM()
        vm = try ComputeFixtures.fill(vm, volumePath: nil, bridge: nil, mac: "52:54:00:zz:00:01")
        #expect(failure { _ = try DomainDefinition(vm: vm, settings: ComputeFixtures.settings) }?
            .contains("hw_addr '52:54:00:zz:00:01' is not a MAC address") == true)
    }

    @Test func attachmentsMustBeReadyToDefineButNotToBeChecked() throws {
        // The seed's VM as it arrives: no url, no bridge yet (only the MAC made real).
        let arriving = try ComputeFixtures.fill(try ComputeFixtures.seedRequest().object,
                                                volumePath: nil, bridge: nil, mac: ComputeFixtures.mac)
        #expect(failure { try DomainDefinition.check(vm: arriving) } == nil)
        let message = try #require(failure { _ = try DomainDefinition(vm: arriving, settings: ComputeFixtures.settings) })
        #expect(message.contains("has no bridge yet") || message.contains("has no url yet"), "\(message)")
    }

    @Test func volumesOutsideThisHostAndOddBridgesAreRefused() throws {
        var vm = try ComputeFixtures.readyVM()
        vm.dependencies = [Dependency(object: Object(type: .volumeFile, id: ComputeFixtures.volumeID, url: "iscsi://san/lun1"),
                                      property: DependencyProperty(relation: Relation.vmAttachments, bootPriority: 1))]
        #expect(failure { try DomainDefinition.check(vm: vm) }?.contains("url 'iscsi://san/lun1' is not a file:// URL") == true)
        vm.dependencies = [ComputeFixtures.nic(mac: ComputeFixtures.mac, bridge: "br-vlan-0f97b5a3-bff2-4f13")]
        #expect(failure { _ = try DomainDefinition(vm: vm, settings: ComputeFixtures.settings) }?
            .contains("is not a Linux interface name") == true)
        vm.dependencies = [Dependency(object: Object(type: .networkVLAN, id: ObjectID()),
                                      property: DependencyProperty(relation: Relation.vmAttachments))]
        #expect(failure { try DomainDefinition.check(vm: vm) }?.contains("a VM attaches only") == true)
    }

    @Test func changesNameWhatDiffersAndNeverThePassword() throws {
        let vm = try ComputeFixtures.readyVM()
        let old = try DomainDefinition(vm: vm, settings: ComputeFixtures.settings)
        #expect(old.changes(from: old).isEmpty)

        var bigger = vm
        bigger.vcpus = 4
        bigger.memory = Size(8, .gb)
        bigger.vncPassword = "newpass1"
        bigger.dependencies = (bigger.dependencies ?? []) + [
            ComputeFixtures.volume(path: "/data/extra", priority: 2),
            ComputeFixtures.nic(mac: "52:54:00:00:00:02", bridge: "br-second"),
        ]
        let new = try DomainDefinition(vm: bigger, settings: ComputeFixtures.settings)
        let changes = new.changes(from: old)
        #expect(changes.contains("vcpus 2 → 4"))
        #expect(changes.contains("memory 4gb → 8gb"))
        #expect(changes.contains { $0.hasPrefix("disks vda ") && $0.contains("→") && $0.contains("vdb /data/extra (boot 2)") })
        #expect(changes.contains { $0.hasPrefix("NICs ") && $0.contains("52:54:00:00:00:02 on br-second") })
        #expect(changes.contains("VNC password changed"))
        #expect(!changes.joined().contains("newpass1") && !changes.joined().contains(ComputeFixtures.password))
    }

    @Test func anArchLeftToLibvirtIsNotAChange() throws {
        var vm = try ComputeFixtures.readyVM()
        vm.arch = nil
        let asked = try DomainDefinition(vm: vm, settings: ComputeFixtures.settings)
        var held = asked
        held.arch = "x86_64"
        #expect(asked.changes(from: held).isEmpty)
    }
}
