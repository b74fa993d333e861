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
        #expect(try refusal { $0.kernel = "http://example.com/vmlinuz" }?.contains("kernel 'http://example.com/vmlinuz' is not a file:// URL") == true)
        #expect(try refusal { $0.initrd = "file:///boot/initrd" }?.contains("initrd needs kernel") == true)
        #expect(try refusal { $0.cmdline = "quiet" }?.contains("cmdline needs kernel") == true)
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
