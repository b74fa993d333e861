import AgentRuntime
import Configuration
import Foundation
import Messages
import ServiceSupport

/// The compute agent's own settings.
///
/// | key | environment | default |
/// |---|---|---|
/// | `compute.libvirt_uri` | `N0CORE_COMPUTE_LIBVIRT_URI` | `qemu:///system` |
/// | `compute.virt_type` | `N0CORE_COMPUTE_VIRT_TYPE` | `kvm` (`qemu` for TCG emulation) |
/// | `compute.vnc_listen` | `N0CORE_COMPUTE_VNC_LISTEN` | `127.0.0.1` |
/// | `compute.shutdown_timeout_seconds` | `N0CORE_COMPUTE_SHUTDOWN_TIMEOUT_SECONDS` | 60 |
/// | `compute.images_directory` | `N0CORE_COMPUTE_IMAGES_DIRECTORY` | `/var/lib/n0core/images` |
/// | `compute.seeds_directory` | `N0CORE_COMPUTE_SEEDS_DIRECTORY` | `agent.state_dir/seeds` |
/// | `compute.cpu_allocation_ratio` | `N0CORE_COMPUTE_CPU_ALLOCATION_RATIO` | 4.0 |
/// | `compute.ram_allocation_ratio` | `N0CORE_COMPUTE_RAM_ALLOCATION_RATIO` | 1.0 |
/// | `compute.reserved_host_cpus` | `N0CORE_COMPUTE_RESERVED_HOST_CPUS` | 0 |
/// | `compute.reserved_host_memory` | `N0CORE_COMPUTE_RESERVED_HOST_MEMORY` | `512mb` |
///
/// The heartbeat's capacity is the host's CPUs and memory through ``allocation``: (CPUs −
/// reserved) × CPU ratio vCPUs, (memory − reserved) × RAM ratio of memory.
///
/// Serial console logs go to `agent.state_dir/console/n0-ID.log`. A VM's `kernel` and `initrd`
/// name files of the images directory, and nothing else of the host. Each VM's cloud-init seed
/// (``NoCloudSeed``) is `n0-ID.iso` in the seeds directory, 0600 in a 0700 directory.
///
/// `qemu:///embed?root=DIR` runs libvirt's QEMU driver inside the agent's own process, with no
/// libvirtd: guests and their taps then live in the agent's network namespace. The agent
/// prepares `DIR/etc/qemu.conf` (see ``EmbeddedRoot``); `DIR` must be short, since QEMU's
/// monitor sockets live under it and a Unix socket path has at most 108 bytes.
public struct ComputeKVMConfiguration: Sendable, Hashable {
    public var libvirtURI: String
    public var virtType: VirtType
    /// The address VNC consoles listen on; keep it on a management network or loopback.
    public var vncListen: String
    /// How long a guest may take to power off after the ACPI request before it is stopped
    /// forcibly.
    public var shutdownTimeout: Duration
    public var consoleDirectory: String
    /// The only place a VM's `kernel` and `initrd` come from.
    public var imagesDirectory: String
    /// Where the VMs' cloud-init seeds are written; nil attaches none (tests of other parts).
    public var seedsDirectory: String?
    /// What the host offers the scheduler of its CPUs and memory (ratios and reservations).
    public var allocation: Allocation

    /// Nova's defaults: vCPUs overcommitted 4 to 1, memory not at all, 512 MiB kept for the host.
    public static let defaultAllocation = Allocation(cpuRatio: 4, memoryRatio: 1, reservedMemory: Size(512, .mb))

    public init(libvirtURI: String = "qemu:///system", virtType: VirtType = .kvm, vncListen: String = "127.0.0.1",
                shutdownTimeout: Duration = .seconds(60), consoleDirectory: String,
                imagesDirectory: String = ImagesDirectory.defaultPath, seedsDirectory: String? = nil,
                allocation: Allocation = ComputeKVMConfiguration.defaultAllocation) {
        self.libvirtURI = libvirtURI
        self.virtType = virtType
        self.vncListen = vncListen
        self.shutdownTimeout = shutdownTimeout
        self.consoleDirectory = consoleDirectory
        self.imagesDirectory = imagesDirectory
        self.seedsDirectory = seedsDirectory
        self.allocation = allocation
    }

    /// Reads the keys above; console logs go under `stateDirectory` (`agent.state_dir`).
    /// - Throws: ``ServiceSupport/ConfigurationError`` naming a key whose value is not usable.
    public init(reader: ConfigReader, stateDirectory: String) throws {
        let uri = reader.string(forKey: "compute.libvirt_uri", default: "qemu:///system")
        guard !uri.isEmpty, uri.contains(":") else {
            throw ConfigurationError.invalid(key: "compute.libvirt_uri", value: uri,
                                             expected: "a libvirt URI such as qemu:///system or qemu:///embed?root=/var/lib/n0core/qemu")
        }
        let virtText = reader.string(forKey: "compute.virt_type", default: VirtType.kvm.rawValue)
        guard let virtType = VirtType(rawValue: virtText.lowercased()) else {
            throw ConfigurationError.invalid(key: "compute.virt_type", value: virtText,
                                             expected: "kvm (hardware virtualisation) or qemu (TCG emulation)")
        }
        let listen = reader.string(forKey: "compute.vnc_listen", default: "127.0.0.1")
        guard Self.isIPAddress(listen) else {
            throw ConfigurationError.invalid(key: "compute.vnc_listen", value: listen,
                                             expected: "an IPv4 or IPv6 address such as 127.0.0.1")
        }
        let timeout = reader.int(forKey: "compute.shutdown_timeout_seconds", default: 60)
        guard timeout > 0 else {
            throw ConfigurationError.invalid(key: "compute.shutdown_timeout_seconds", value: "\(timeout)",
                                             expected: "a positive number of seconds")
        }
        let images = reader.string(forKey: "compute.images_directory", default: ImagesDirectory.defaultPath)
        guard images.hasPrefix("/"), URL(fileURLWithPath: images).standardizedFileURL.path != "/" else {
            throw ConfigurationError.invalid(key: "compute.images_directory", value: images,
                                             expected: "the absolute path of a directory of images, not /")
        }
        let seeds = reader.string(forKey: "compute.seeds_directory",
                                  default: URL(fileURLWithPath: stateDirectory).appendingPathComponent("seeds").path)
        guard seeds.hasPrefix("/"), URL(fileURLWithPath: seeds).standardizedFileURL.path != "/" else {
            throw ConfigurationError.invalid(key: "compute.seeds_directory", value: seeds,
                                             expected: "the absolute path of a directory for the VMs' cloud-init seeds, not /")
        }
        let defaults = Self.defaultAllocation
        let allocation = Allocation(
            cpuRatio: try reader.bounded("compute.cpu_allocation_ratio", default: defaults.cpuRatio,
                                         above: Allocation.ratioFloor, atMost: Allocation.ratioLimit),
            memoryRatio: try reader.bounded("compute.ram_allocation_ratio", default: defaults.memoryRatio,
                                            above: Allocation.ratioFloor, atMost: Allocation.ratioLimit),
            reservedCPUs: try reader.bounded("compute.reserved_host_cpus", default: defaults.reservedCPUs,
                                             in: Capacity.vcpuBounds, unit: "CPUs"),
            reservedMemory: try reader.bounded("compute.reserved_host_memory", default: defaults.reservedMemory,
                                               in: Capacity.memoryBounds))
        self.init(libvirtURI: uri, virtType: virtType, vncListen: listen, shutdownTimeout: .seconds(timeout),
                  consoleDirectory: URL(fileURLWithPath: stateDirectory).appendingPathComponent("console").path,
                  imagesDirectory: images, seedsDirectory: URL(fileURLWithPath: seeds).standardizedFileURL.path,
                  allocation: allocation)
        if let root = embedRoot, !root.hasPrefix("/") {
            throw ConfigurationError.invalid(key: "compute.libvirt_uri", value: uri,
                                             expected: "qemu:///embed?root=DIR with an absolute DIR")
        }
    }

    /// `DIR` of `qemu:///embed?root=DIR`; nil for other URIs.
    public var embedRoot: String? {
        guard libvirtURI.hasPrefix("qemu:///embed"),
              let components = URLComponents(string: libvirtURI) else { return nil }
        return components.queryItems?.first { $0.name == "root" }?.value
    }

    /// What the host contributes to every domain.
    public var domainSettings: DomainSettings {
        DomainSettings(virtType: virtType, vncListen: vncListen, consoleDirectory: consoleDirectory,
                       imagesDirectory: imagesDirectory, seedsDirectory: seedsDirectory)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
