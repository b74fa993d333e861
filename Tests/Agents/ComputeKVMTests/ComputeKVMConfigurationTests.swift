import Foundation
import Logging
import AgentRuntime
import Messages
import ServiceSupport
import Testing

@testable import ComputeKVM

/// `compute.*` keys, and the embedded driver's root.
@Suite struct ComputeKVMConfigurationTests {
    func configuration(_ environment: [String: String]) async throws -> ComputeKVMConfiguration {
        let loaded = try await ServiceConfiguration.load(file: nil, environment: environment)
        return try ComputeKVMConfiguration(reader: loaded.reader, stateDirectory: "/var/lib/n0core/compute-kvm")
    }

    @Test func defaultsUseTheSystemLibvirtWithKVM() async throws {
        let defaults = try await configuration([:])
        #expect(defaults.libvirtURI == "qemu:///system")
        #expect(defaults.virtType == .kvm)
        #expect(defaults.vncListen == "127.0.0.1")
        #expect(defaults.shutdownTimeout == .seconds(60))
        #expect(defaults.consoleDirectory == "/var/lib/n0core/compute-kvm/console")
        #expect(defaults.imagesDirectory == "/var/lib/n0core/images")
        #expect(defaults.seedsDirectory == "/var/lib/n0core/compute-kvm/seeds")
        #expect(defaults.embedRoot == nil)
    }

    @Test func environmentSetsEveryKey() async throws {
        let set = try await configuration([
            "N0CORE_COMPUTE_LIBVIRT_URI": "qemu:///embed?root=/var/lib/n0core/qemu",
            "N0CORE_COMPUTE_VIRT_TYPE": "qemu",
            "N0CORE_COMPUTE_VNC_LISTEN": "::1",
            "N0CORE_COMPUTE_SHUTDOWN_TIMEOUT_SECONDS": "5",
            "N0CORE_COMPUTE_IMAGES_DIRECTORY": "/srv/images",
            "N0CORE_COMPUTE_SEEDS_DIRECTORY": "/srv/seeds/",
        ])
        #expect(set.libvirtURI == "qemu:///embed?root=/var/lib/n0core/qemu")
        #expect(set.embedRoot == "/var/lib/n0core/qemu")
        #expect(set.virtType == .qemu)
        #expect(set.vncListen == "::1")
        #expect(set.shutdownTimeout == .seconds(5))
        #expect(set.domainSettings == DomainSettings(virtType: .qemu, vncListen: "::1",
                                                     consoleDirectory: "/var/lib/n0core/compute-kvm/console",
                                                     imagesDirectory: "/srv/images",
                                                     seedsDirectory: "/srv/seeds"))
    }

    @Test func unusableValuesAreRefusedNamingTheKey() async throws {
        let cases: [(String, String, String)] = [
            ("N0CORE_COMPUTE_VIRT_TYPE", "xen", "compute.virt_type"),
            ("N0CORE_COMPUTE_VNC_LISTEN", "localhost", "compute.vnc_listen"),
            ("N0CORE_COMPUTE_SHUTDOWN_TIMEOUT_SECONDS", "0", "compute.shutdown_timeout_seconds"),
            ("N0CORE_COMPUTE_LIBVIRT_URI", "qemu:///embed?root=relative/dir", "compute.libvirt_uri"),
            ("N0CORE_COMPUTE_IMAGES_DIRECTORY", "images", "compute.images_directory"),
            ("N0CORE_COMPUTE_SEEDS_DIRECTORY", "/", "compute.seeds_directory"),
            ("N0CORE_COMPUTE_IMAGES_DIRECTORY", "/", "compute.images_directory"),
        ]
        for (variable, value, key) in cases {
            do {
                _ = try await configuration([variable: value])
                Issue.record("\(variable)=\(value) was accepted")
            } catch let error as ConfigurationError {
                #expect("\(error)".hasPrefix("\(key): '\(value)' is not valid"), "\(error)")
            }
        }
    }

    @Test func allocationDefaultsAreNovasAndEveryKeyIsRead() async throws {
        let defaults = try await configuration([:])
        #expect(defaults.allocation == Allocation(cpuRatio: 4, memoryRatio: 1, reservedCPUs: 0, reservedMemory: Size(512, .mb)))
        let set = try await configuration([
            "N0CORE_COMPUTE_CPU_ALLOCATION_RATIO": "16",
            "N0CORE_COMPUTE_RAM_ALLOCATION_RATIO": "1.5",
            "N0CORE_COMPUTE_RESERVED_HOST_CPUS": "1",
            "N0CORE_COMPUTE_RESERVED_HOST_MEMORY": "2GB",
        ])
        #expect(set.allocation == Allocation(cpuRatio: 16, memoryRatio: 1.5, reservedCPUs: 1, reservedMemory: Size(2, .gb)))
    }

    /// YAML writes whole ratios as integers (`cpu_allocation_ratio: 4`) and others as decimals.
    @Test func allocationFromTheConfigurationFile() async throws {
        let file = "/tmp/n0ck-\(UUID().uuidString.prefix(8)).yaml"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "compute:\n  cpu_allocation_ratio: 8\n  ram_allocation_ratio: 1.25\n  reserved_host_memory: 1gb\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = try await ServiceConfiguration.load(file: file, environment: [:])
        let read = try ComputeKVMConfiguration(reader: loaded.reader, stateDirectory: "/var/lib/n0core/compute-kvm")
        #expect(read.allocation == Allocation(cpuRatio: 8, memoryRatio: 1.25, reservedMemory: Size(1, .gb)))
    }

    @Test func allocationValuesOutOfBoundsAreRefusedNamingTheKeyAndTheBounds() async throws {
        let cases: [(String, String, String, String)] = [
            ("N0CORE_COMPUTE_CPU_ALLOCATION_RATIO", "0", "compute.cpu_allocation_ratio", "greater than 0 and at most 64"),
            ("N0CORE_COMPUTE_CPU_ALLOCATION_RATIO", "-1", "compute.cpu_allocation_ratio", "greater than 0 and at most 64"),
            ("N0CORE_COMPUTE_CPU_ALLOCATION_RATIO", "64.5", "compute.cpu_allocation_ratio", "greater than 0 and at most 64"),
            ("N0CORE_COMPUTE_CPU_ALLOCATION_RATIO", "nan", "compute.cpu_allocation_ratio", "greater than 0 and at most 64"),
            ("N0CORE_COMPUTE_CPU_ALLOCATION_RATIO", "inf", "compute.cpu_allocation_ratio", "greater than 0 and at most 64"),
            ("N0CORE_COMPUTE_RAM_ALLOCATION_RATIO", "lots", "compute.ram_allocation_ratio", "greater than 0 and at most 64"),
            ("N0CORE_COMPUTE_RESERVED_HOST_CPUS", "-1", "compute.reserved_host_cpus", "from 0 to 65536"),
            ("N0CORE_COMPUTE_RESERVED_HOST_MEMORY", "512", "compute.reserved_host_memory", "such as 512mb"),
            ("N0CORE_COMPUTE_RESERVED_HOST_MEMORY", "-1gb", "compute.reserved_host_memory", "such as 512mb"),
            ("N0CORE_COMPUTE_RESERVED_HOST_MEMORY", "65537tb", "compute.reserved_host_memory", "such as 512mb"),
        ]
        for (variable, value, key, bounds) in cases {
            do {
                let read = try await configuration([variable: value])
                Issue.record("\(variable)=\(value) was accepted: \(read.allocation)")
            } catch let error as ConfigurationError {
                #expect("\(error)".hasPrefix("\(key): '"), "\(error)")
                #expect("\(error)".contains(bounds), "\(error)")
            }
        }
    }

    @Test func embeddedRootGetsAQemuConfForADaemonlessDriverAndKeepsAnOperatorsOwn() throws {
        let root = "/tmp/n0ce-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let embedded = EmbeddedRoot(path: root)
        try embedded.prepare(logger: Logger(label: "test"))
        let written = try String(contentsOfFile: "\(root)/etc/qemu.conf", encoding: .utf8)
        #expect(written.contains("stdio_handler = \"file\""))
        #expect(written.contains("user = \"root\""))
        #expect(written.contains("group = \"root\""))

        try "user = \"qemu\"\n".write(toFile: "\(root)/etc/qemu.conf", atomically: true, encoding: .utf8)
        try embedded.prepare(logger: Logger(label: "test"))
        #expect(try String(contentsOfFile: "\(root)/etc/qemu.conf", encoding: .utf8) == "user = \"qemu\"\n")
    }

    @Test func anEmbeddedRootTooLongForQEMUsSocketsIsRefused() throws {
        let long = "/var/lib/n0core/compute-kvm/embedded-libvirt-driver-root"
        #expect(throws: (any Error).self) { try EmbeddedRoot(path: long).prepare(logger: Logger(label: "test")) }
        #expect(!FileManager.default.fileExists(atPath: long))
    }
}
