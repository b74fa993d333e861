import Foundation
import Messages
import Testing

@testable import ComputeKVM

/// The domain XML made from a VM (pure): what libvirt is asked to run.
@Suite struct DomainXMLTests {
    func render(_ vm: Object, settings: DomainSettings = ComputeFixtures.settings) throws -> (DomainDefinition, String) {
        let definition = try DomainDefinition(vm: vm, settings: settings, locate: ComputeFixtures.locate)
        return (definition, DomainXML.render(definition))
    }

    @Test func seedVMBecomesADomainNamedByItsIDWithItsCPUsMemoryAndArchitecture() throws {
        let (_, xml) = try render(try ComputeFixtures.readyVM())
        #expect(xml.hasPrefix("<domain type='qemu'>"))
        #expect(xml.contains("<name>n0-56410722-d507-472a-a800-c89211b7c261</name>"))
        #expect(xml.contains("<uuid>56410722-d507-472a-a800-c89211b7c261</uuid>"))
        #expect(xml.contains("<vcpu placement='static'>2</vcpu>"))
        #expect(xml.contains("<memory unit='KiB'>4194304</memory>"), "4gb = 4 × 2^20 KiB")
        #expect(xml.contains("<type arch='x86_64'>hvm</type>"), "the seed's amd64 is libvirt's x86_64")
        #expect(xml.contains("<acpi/>"))
        #expect(xml.contains("<on_poweroff>destroy</on_poweroff>"))
    }

    @Test func virtTypeComesFromTheHostsSettings() throws {
        var settings = ComputeFixtures.settings
        settings.virtType = .kvm
        let (_, xml) = try render(try ComputeFixtures.readyVM(), settings: settings)
        #expect(xml.hasPrefix("<domain type='kvm'>"))
    }

    @Test func diskIsTheVolumesFileAsVirtioQcow2BootingFirst() throws {
        let (definition, xml) = try render(try ComputeFixtures.readyVM(volumePath: "/data/volumes/d99163ed"))
        #expect(definition.disks == [.init(path: "/data/volumes/d99163ed", target: "vda", bootOrder: 1)])
        #expect(xml.contains("""
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/data/volumes/d99163ed'/>
                  <target dev='vda' bus='virtio'/>
                  <boot order='1'/>
                </disk>
            """))
    }

    @Test func disksFollowBootPriorityNotTheOrderTheyAreListedIn() throws {
        var vm = try ComputeFixtures.readyVM()
        vm.dependencies = (vm.dependencies ?? []).filter { $0.object.type != .volumeFile } + [
            ComputeFixtures.volume(path: "/data/third", priority: nil),
            ComputeFixtures.volume(path: "/data/second", priority: 5),
            ComputeFixtures.volume(path: "/data/first", priority: 1),
            ComputeFixtures.volume(path: "/data/fourth", priority: nil),
        ]
        let (definition, xml) = try render(vm)
        #expect(definition.disks.map(\.path) == ["/data/first", "/data/second", "/data/third", "/data/fourth"])
        #expect(definition.disks.map(\.target) == ["vda", "vdb", "vdc", "vdd"])
        #expect(definition.disks.map(\.bootOrder) == [1, 2, nil, nil], "volumes without a priority are not booted from")
        let first = try #require(xml.range(of: "/data/first"))
        let second = try #require(xml.range(of: "/data/second"))
        #expect(first.lowerBound < second.lowerBound)
        #expect(xml.components(separatedBy: "<boot order=").count - 1 == 2)
    }

    @Test func diskPathsAreDecodedFromFileURLs() throws {
        var vm = try ComputeFixtures.readyVM()
        vm.dependencies = [Dependency(
            object: Object(type: .volumeFile, id: ObjectID(), url: "file:///data/my%20disks/a&b.qcow2"),
            property: DependencyProperty(relation: Relation.vmAttachments, bootPriority: 1))]
        let (definition, xml) = try render(vm)
        #expect(definition.disks.first?.path == "/data/my disks/a&b.qcow2")
        #expect(xml.contains("<source file='/data/my disks/a&amp;b.qcow2'/>"))
    }

    @Test func interfaceIsOnTheNetworksBridgeWithTheNICsMAC() throws {
        let (definition, xml) = try render(try ComputeFixtures.readyVM(bridge: "br-8451da315e3a", mac: "52:54:00:AB:CD:EF"))
        #expect(definition.interfaces == [.init(bridge: "br-8451da315e3a", mac: "52:54:00:ab:cd:ef")])
        #expect(xml.contains("""
                <interface type='bridge'>
                  <source bridge='br-8451da315e3a'/>
                  <mac address='52:54:00:ab:cd:ef'/>
                  <model type='virtio'/>
                </interface>
            """))
    }

    @Test func macsWithoutSeparatorsAreWrittenAsLibvirtExpects() throws {
        let (definition, _) = try render(try ComputeFixtures.readyVM(mac: "525400123456"))
        #expect(definition.interfaces.map(\.mac) == ["52:54:00:12:34:56"])
    }

    @Test func oneInterfacePerNICInTheOrderListed() throws {
        var vm = try ComputeFixtures.readyVM()
        vm.dependencies = (vm.dependencies ?? []) + [ComputeFixtures.nic(mac: "52:54:00:00:00:02", bridge: "br-second")]
        let (definition, xml) = try render(vm)
        #expect(definition.interfaces.map(\.bridge) == ["br-8451da315e3a", "br-second"])
        #expect(xml.components(separatedBy: "<interface type='bridge'>").count - 1 == 2)
    }

    @Test func vncListensOnTheConfiguredAddressWithTheVMsPassword() throws {
        var settings = ComputeFixtures.settings
        settings.vncListen = "192.0.2.10"
        let (_, xml) = try render(try ComputeFixtures.readyVM(), settings: settings)
        #expect(xml.contains("<graphics type='vnc' autoport='yes' listen='192.0.2.10' passwd='hogehoge'>"))
        #expect(xml.contains("<listen type='address' address='192.0.2.10'/>"))
    }

    @Test func maskedDefinitionKeepsEverythingButThePassword() throws {
        let (definition, xml) = try render(try ComputeFixtures.readyVM())
        let masked = DomainXML.render(definition.maskingPassword())
        #expect(!masked.contains(ComputeFixtures.password))
        #expect(masked.contains("passwd='\(Object.passwordMask)'"))
        #expect(masked == xml.replacingOccurrences(of: ComputeFixtures.password, with: Object.passwordMask))
        #expect(!"\(definition)".contains(ComputeFixtures.password), "a definition's description masks it too")
        #expect(!String(reflecting: definition).contains(ComputeFixtures.password))
    }

    @Test func serialConsoleGoesToAFileInTheConsoleDirectory() throws {
        let (_, xml) = try render(try ComputeFixtures.readyVM())
        let log = "/var/lib/n0core/compute-kvm/console/n0-56410722-d507-472a-a800-c89211b7c261.log"
        #expect(xml.contains("<serial type='file'>\n      <source path='\(log)'/>"))
        #expect(xml.contains("<console type='file'>\n      <source path='\(log)'/>"))
    }

    @Test func everyGuestGetsEntropyFromTheHost() throws {
        let (_, xml) = try render(try ComputeFixtures.readyVM())
        #expect(xml.contains("<rng model='virtio'>\n      <backend model='random'>/dev/urandom</backend>\n    </rng>"))
    }

    @Test func kernelInitrdAndCmdlineBootTheGuestDirectly() throws {
        var vm = try ComputeFixtures.readyVM()
        vm.kernel = "vmlinuz"
        vm.initrd = "initrd.img"
        vm.cmdline = "console=ttyS0 root=/dev/vda1 quiet"
        let (definition, xml) = try render(vm)
        #expect(xml.contains("""
              <os>
                <type arch='x86_64'>hvm</type>
                <kernel>/var/lib/n0core/images/vmlinuz</kernel>
                <initrd>/var/lib/n0core/images/initrd.img</initrd>
                <cmdline>console=ttyS0 root=/dev/vda1 quiet</cmdline>
              </os>
            """))
        #expect(definition.disks.map(\.bootOrder) == [nil], "the kernel boots, not the disk")
        #expect(!xml.contains("<boot order="))
    }

    @Test func valuesAreEscaped() throws {
        var vm = try ComputeFixtures.readyVM()
        vm.vncPassword = "a'b\"<&>"
        vm.kernel = "vmlinuz"
        vm.cmdline = "x=<y> & z='1'"
        let xml = DomainXML.render(try DomainDefinition(vm: vm, settings: ComputeFixtures.settings, locate: ComputeFixtures.locate))
        #expect(xml.contains("passwd='a&apos;b&quot;&lt;&amp;&gt;'"))
        #expect(xml.contains("<cmdline>x=&lt;y&gt; &amp; z='1'</cmdline>"))
        let parsed = try DomainXML.parse(xml)
        #expect(parsed.vnc?.password == "a'b\"<&>")
        #expect(parsed.directBoot?.cmdline == "x=<y> & z='1'")
    }

    @Test func parsingWhatIsRenderedGivesTheSameDefinition() throws {
        var vm = try ComputeFixtures.readyVM()
        vm.dependencies = (vm.dependencies ?? []) + [
            ComputeFixtures.volume(path: "/data/two", priority: 2),
            ComputeFixtures.nic(mac: "52:54:00:00:00:02", bridge: "br-second"),
        ]
        let definition = try DomainDefinition(vm: vm, settings: ComputeFixtures.settings)
        #expect(try DomainXML.parse(DomainXML.render(definition)) == definition)
        vm.kernel = "vmlinuz"
        vm.cmdline = "console=ttyS0"
        let direct = try DomainDefinition(vm: vm, settings: ComputeFixtures.settings, locate: ComputeFixtures.locate)
        #expect(try DomainXML.parse(DomainXML.render(direct)) == direct)
    }

    /// What libvirt 9 answers for a running guest (`virsh dumpxml --security-info`), trimmed:
    /// units, extra attributes and devices the agent does not make are read past.
    @Test func parsingLibvirtsOwnXMLReadsWhatTheAgentSet() throws {
        let xml = """
            <domain type='qemu' id='1'>
              <name>n0-56410722-d507-472a-a800-c89211b7c261</name>
              <uuid>56410722-d507-472a-a800-c89211b7c261</uuid>
              <memory unit='KiB'>4194304</memory>
              <currentMemory unit='KiB'>4194304</currentMemory>
              <vcpu placement='static'>2</vcpu>
              <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type></os>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/data/vol' index='1'/>
                  <backingStore/>
                  <target dev='vda' bus='virtio'/>
                  <boot order='1'/>
                  <alias name='virtio-disk0'/>
                </disk>
                <disk type='file' device='cdrom'><source file='/iso'/><target dev='hdc' bus='ide'/></disk>
                <interface type='bridge'>
                  <mac address='52:54:00:AB:CD:EF'/>
                  <source bridge='br-test'/>
                  <target dev='vnet0'/>
                  <model type='virtio'/>
                </interface>
                <interface type='network'><source network='default'/><mac address='52:54:00:00:00:09'/></interface>
                <serial type='file'><source path='/state/console/n0-x.log'/><target type='isa-serial' port='0'/></serial>
                <graphics type='vnc' port='5900' autoport='yes' listen='127.0.0.1' passwd='hogehoge'>
                  <listen type='address' address='127.0.0.1'/>
                </graphics>
              </devices>
            </domain>
            """
        let parsed = try DomainXML.parse(xml)
        #expect(parsed.uuid == ComputeFixtures.vmID)
        #expect(parsed.virtType == .qemu)
        #expect(parsed.arch == "x86_64")
        #expect(parsed.vcpus == 2)
        #expect(parsed.memoryKiB == 4 << 20)
        #expect(parsed.disks == [.init(path: "/data/vol", target: "vda", bootOrder: 1)])
        #expect(parsed.interfaces == [.init(bridge: "br-test", mac: "52:54:00:ab:cd:ef")])
        #expect(parsed.vnc == .init(listen: "127.0.0.1", password: "hogehoge"))
        #expect(parsed.consoleLog == "/state/console/n0-x.log")
        #expect(parsed.directBoot == nil)
    }

    @Test func memoryInOtherUnitsIsReadInKiB() throws {
        #expect(try DomainXML.kibibytes("4", unit: "GiB") == 4 << 20)
        #expect(try DomainXML.kibibytes("512", unit: "M") == 512 << 10)
        #expect(try DomainXML.kibibytes("2048", unit: "KiB") == 2048)
        #expect(throws: (any Error).self) { try DomainXML.kibibytes("2", unit: "parsecs") }
    }

    @Test func diskTargetsContinuePastZ() {
        #expect(DomainDefinition.diskTarget(0) == "vda")
        #expect(DomainDefinition.diskTarget(25) == "vdz")
        #expect(DomainDefinition.diskTarget(26) == "vdaa")
        #expect(DomainDefinition.diskTarget(27) == "vdab")
    }

    @Test func domainNamesMarkTheAgentsDomains() {
        let id = ObjectID()
        #expect(DomainName.vmID(ofDomainNamed: DomainName.name(of: id)) == id)
        #expect(DomainName.vmID(ofDomainNamed: "web") == nil)
        #expect(DomainName.vmID(ofDomainNamed: "n0-not-a-uuid") == nil)
        #expect(DomainName.vmID(ofDomainNamed: "n0-" + id.description.uppercased()) == nil, "only names the agent wrote")
    }
}
