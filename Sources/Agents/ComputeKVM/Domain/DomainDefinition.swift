import AgentRuntime
import Messages

/// What the agent decides about one VM's libvirt domain, as a value: made from the VM object
/// (``init(vm:settings:)``), written as domain XML (``DomainXML/render(_:)``) and read back from
/// libvirt's XML (``DomainXML/parse(_:)``), so "what changed" is a comparison of two values
/// (``changes(from:)``).
///
/// Only what the agent sets is here; what libvirt fills in (machine type, PCI addresses,
/// controllers) is left to libvirt and ignored when comparing.
public struct DomainDefinition: Sendable, Hashable {
    /// The VM's id; also the domain's UUID.
    public var uuid: ObjectID
    /// `n0-` and the id (``DomainName``).
    public var name: String
    public var virtType: VirtType
    /// libvirt's architecture name (`x86_64`); nil leaves it to libvirt (the host's).
    public var arch: String?
    public var vcpus: Int
    public var memoryKiB: UInt64
    /// In boot order: the first boots first.
    public var disks: [Disk]
    /// In the order the VM lists its NICs.
    public var interfaces: [Interface]
    public var vnc: VNC?
    /// The serial console's log file; libvirt appends to it across boots.
    public var consoleLog: String
    /// Direct kernel boot, when the VM names a kernel.
    public var directBoot: DirectBoot?

    public init(uuid: ObjectID, name: String, virtType: VirtType, arch: String?, vcpus: Int, memoryKiB: UInt64,
                disks: [Disk], interfaces: [Interface], vnc: VNC?, consoleLog: String, directBoot: DirectBoot?) {
        self.uuid = uuid
        self.name = name
        self.virtType = virtType
        self.arch = arch
        self.vcpus = vcpus
        self.memoryKiB = memoryKiB
        self.disks = disks
        self.interfaces = interfaces
        self.vnc = vnc
        self.consoleLog = consoleLog
        self.directBoot = directBoot
    }

    /// A file on a virtio bus: a volume (qcow2), or the cloud-init seed (raw, read-only).
    public struct Disk: Sendable, Hashable {
        public var path: String
        /// `vda`, `vdb`, … in boot order.
        public var target: String
        /// libvirt's per-device boot order (1 first); nil for a disk that is not booted from.
        public var bootOrder: Int?
        /// The image format libvirt tells QEMU: `qcow2` or `raw`.
        public var format: String
        public var readOnly: Bool

        public init(path: String, target: String, bootOrder: Int?, format: String = "qcow2", readOnly: Bool = false) {
            self.path = path
            self.target = target
            self.bootOrder = bootOrder
            self.format = format
            self.readOnly = readOnly
        }
    }

    /// A virtio NIC on a Linux bridge.
    public struct Interface: Sendable, Hashable {
        public var bridge: String
        /// Lowercase, colon-separated.
        public var mac: String

        public init(bridge: String, mac: String) {
            self.bridge = bridge
            self.mac = mac
        }
    }

    /// The VNC console. Its password never appears in descriptions (and so in logs).
    public struct VNC: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var listen: String
        public var password: String?

        public init(listen: String, password: String?) {
            self.listen = listen
            self.password = password
        }

        public var description: String {
            "VNC(listen: \(listen), password: \(password == nil ? "none" : Object.passwordMask))"
        }

        public var debugDescription: String { description }

        public var customMirror: Mirror {
            Mirror(self, children: ["listen": listen, "password": password == nil ? "none" : Object.passwordMask])
        }
    }

    /// The kernel and initrd as files of the images directory (real paths), and the command line.
    public struct DirectBoot: Sendable, Hashable {
        public var kernel: String
        public var initrd: String?
        public var cmdline: String?

        public init(kernel: String, initrd: String?, cmdline: String?) {
            self.kernel = kernel
            self.initrd = initrd
            self.cmdline = cmdline
        }
    }

    /// A copy whose VNC password is replaced by ``Messages/Object/passwordMask``: the only form
    /// in which a definition's XML may be logged.
    public func maskingPassword() -> DomainDefinition {
        var copy = self
        if copy.vnc?.password != nil { copy.vnc?.password = Object.passwordMask }
        return copy
    }
}

/// libvirt's domain type: `kvm` (hardware virtualisation) or `qemu` (TCG, emulation).
public enum VirtType: String, Sendable, Hashable, CaseIterable {
    case kvm, qemu
}

/// Where settings of the host (not of the VM) go into a domain.
public struct DomainSettings: Sendable, Hashable {
    public var virtType: VirtType
    /// The address VNC listens on.
    public var vncListen: String
    /// Where the serial console logs go, one `n0-ID.log` per VM.
    public var consoleDirectory: String
    /// The only place a VM's `kernel` and `initrd` come from (`compute.images_directory`).
    public var imagesDirectory: String
    /// Where each VM's cloud-init seed image is (`compute.seeds_directory`); nil attaches none.
    public var seedsDirectory: String?

    public init(virtType: VirtType, vncListen: String, consoleDirectory: String,
                imagesDirectory: String = ImagesDirectory.defaultPath, seedsDirectory: String? = nil) {
        self.virtType = virtType
        self.vncListen = vncListen
        self.consoleDirectory = consoleDirectory
        self.imagesDirectory = imagesDirectory
        self.seedsDirectory = seedsDirectory
    }
}
