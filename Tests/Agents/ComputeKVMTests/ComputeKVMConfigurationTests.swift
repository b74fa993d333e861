import Foundation
import Logging
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
