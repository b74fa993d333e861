import Foundation
import Logging
import Messages
import Testing

@testable import ComputeKVM

/// The Swift layer over libvirt's C API, against libvirt's own test driver (`test:///default`:
/// in memory, per connection, no QEMU), so every call and error path runs for real.
@Suite(.serialized) struct LibvirtHypervisorTests {
    func withHypervisor(_ body: (LibvirtHypervisor) async throws -> Void) async throws {
        let hypervisor = LibvirtHypervisor(uri: "test:///default", logger: Logger(label: "test"))
        defer { hypervisor.close() }
        try await hypervisor.connect()
        try await body(hypervisor)
    }

    func definition(_ id: ObjectID = ObjectID()) throws -> DomainDefinition {
        var vm = try ComputeFixtures.readyVM(volumePath: "/nonexistent/disk.qcow2", bridge: "br-test")
        vm.id = id
        return try DomainDefinition(vm: vm, settings: ComputeFixtures.settings)
    }

    @Test func aDomainGoesThroughItsLifecycle() async throws {
        try await withHypervisor { libvirt in
            let domain = try definition()
            let id = domain.uuid
            #expect(try await libvirt.status(of: id) == nil)

            try await libvirt.define(xml: DomainXML.render(domain))
            var status = try #require(try await libvirt.status(of: id))
            #expect(status.state == .shutOff && !status.isActive && status.isPersistent)
            #expect(status.vcpus == 2 && status.memoryKiB == 4 << 20)
            #expect(try DomainXML.parse(try await libvirt.xml(of: id, inactive: true)) == domain,
                    "libvirt gives back what the agent defined, password included")

            try await libvirt.start(id)
            status = try #require(try await libvirt.status(of: id))
            #expect(status.state == .running && status.isActive)

            try await libvirt.managedSave(id)
            status = try #require(try await libvirt.status(of: id))
            #expect(!status.isActive && status.hasManagedSaveImage)
            try await libvirt.start(id)
            #expect(try await libvirt.status(of: id)?.isActive == true)

            try await libvirt.destroy(id)
            #expect(try await libvirt.status(of: id)?.isActive == false)
            try await libvirt.undefine(id)
            #expect(try await libvirt.status(of: id) == nil)
        }
    }

    @Test func domainsAndNodeInfoAreListed() async throws {
        try await withHypervisor { libvirt in
            let domain = try definition()
            try await libvirt.define(xml: DomainXML.render(domain))
            let listings = try await libvirt.domains()
            #expect(listings.contains { $0.name == domain.name && $0.uuid == domain.uuid.description })
            #expect(listings.contains { $0.name == "test" }, "the test driver's own domain")
            let node = try await libvirt.nodeInfo()
            #expect(node.cpus > 0 && node.memoryKiB > 0)
            #expect(await libvirt.isConnected())
        }
    }

    @Test func failuresCarryLibvirtsMessageAndCode() async throws {
        try await withHypervisor { libvirt in
            let missing = ObjectID()
            let error = await #expect(throws: LibvirtError.self) { try await libvirt.start(missing) }
            #expect(error?.isNoDomain == true)
            #expect(error?.message.contains(missing.description) == true, "\(error?.message ?? "")")

            let invalid = await #expect(throws: LibvirtError.self) {
                try await libvirt.define(xml: "<domain type='qemu'><name>broken</name></domain>")
            }
            #expect(invalid?.operation == "virDomainDefineXMLFlags")
            #expect(invalid?.message.isEmpty == false)

            let domain = try definition()
            try await libvirt.define(xml: DomainXML.render(domain))
            let notRunning = await #expect(throws: LibvirtError.self) { try await libvirt.destroy(domain.uuid) }
            #expect(notRunning?.isInvalidInCurrentState == true, "\(notRunning?.message ?? "")")
        }
    }

    @Test func aConnectionThatCannotOpenSaysWhy() async throws {
        let hypervisor = LibvirtHypervisor(uri: "test:///nonexistent/node.xml", logger: Logger(label: "test"))
        defer { hypervisor.close() }
        let error = await #expect(throws: LibvirtError.self) { try await hypervisor.connect() }
        #expect(error?.operation == "virConnectOpen")
        #expect(error?.message.isEmpty == false)
        #expect(await hypervisor.isConnected() == false)
    }
}
