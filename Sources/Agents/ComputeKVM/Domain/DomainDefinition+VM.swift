import AgentRuntime
import Messages

extension DomainDefinition {
    /// The domain for `vm`, a `resource/vm/kvm` whose attachments are ready (volumes with
    /// `url`, NICs whose network has a `bridge`).
    ///
    /// - Volumes become virtio qcow2 disks in `boot_priority` order (lowest first; volumes
    ///   without one follow, in the order listed, and get no boot order).
    /// - NICs become virtio interfaces on their network's bridge with their `hw_addr`.
    /// - With `settings.seedsDirectory`, the VM's cloud-init seed image follows the volumes as a
    ///   read-only raw virtio disk (``NoCloudSeed``, ``SeedDirectory``).
    /// - Without `kernel` the guest boots from its disks; with it, directly from the kernel.
    ///   `kernel` and `initrd` name images of `settings.imagesDirectory`, resolved there
    ///   (``AgentRuntime/ImagesDirectory``): a name leading outside it is refused.
    /// - Throws: ``AgentRuntime/AgentFailure`` naming the field and the problem.
    public init(vm: Object, settings: DomainSettings) throws {
        let images = ImagesDirectory(path: settings.imagesDirectory, configurationKey: "compute.images_directory")
        try self.init(vm: vm, settings: settings, complete: true, locate: images.resolve)
    }

    /// ``init(vm:settings:)`` with the images found by `locate` (name and field to a path), so
    /// the definition itself is decided without touching the host.
    init(vm: Object, settings: DomainSettings, locate: (ImageName, String) throws -> String) throws {
        try self.init(vm: vm, settings: settings, complete: true, locate: locate)
    }

    /// Checks what can be checked before the attachments are ready: the VM's own fields (image
    /// names by their form, not yet on disk) and the attachments' fields that are already
    /// there. Throws like ``init(vm:settings:)``.
    public static func check(vm: Object) throws {
        let settings = DomainSettings(virtType: .qemu, vncListen: "127.0.0.1", consoleDirectory: "/")
        _ = try DomainDefinition(vm: vm, settings: settings, complete: false) { name, _ in "/" + name.rawValue }
    }

    /// With `complete` false, a volume without `url` and a NIC without bridge are skipped
    /// instead of refused (they are still being made).
    private init(vm: Object, settings: DomainSettings, complete: Bool,
                 locate: (ImageName, String) throws -> String) throws {
        guard let id = vm.id else { throw AgentFailure("the VM has no id") }
        let what = "vm \(id)"
        guard let vcpus = vm.vcpus else {
            throw AgentFailure("\(what): object.vcpus is required for a resource/vm/kvm (e.g. vcpus: 2)")
        }
        guard vcpus > 0 else { throw AgentFailure("\(what): vcpus \(vcpus) must be at least 1") }
        guard let memory = vm.memory else {
            throw AgentFailure("\(what): object.memory is required for a resource/vm/kvm (e.g. memory: 4gb)")
        }
        guard memory.bytes > 0, memory.bytes % Size.Unit.mb.bytes == 0 else {
            throw AgentFailure("\(what): memory \(memory) must be a positive whole number of megabytes (e.g. 512mb, 4gb)")
        }
        let arch = try vm.arch.map { try Self.libvirtArchitecture($0, what: what) }
        let vnc = try Self.vnc(password: vm.vncPassword, listen: settings.vncListen, what: what)
        let directBoot = try Self.directBoot(of: vm, what: what, locate: locate)

        var volumes: [(priority: Int?, path: String)] = []
        var interfaces: [Interface] = []
        for attachment in vm.dependencies(relation: Relation.vmAttachments) {
            let attached = attachment.object
            switch attached.type {
            case .volumeFile:
                if let path = try Self.diskPath(of: attached, complete: complete) {
                    volumes.append((attachment.property.bootPriority, path))
                }
            case .nic:
                if let interface = try Self.interface(of: attached, complete: complete) {
                    interfaces.append(interface)
                }
            default:
                let type = attached.type?.rawValue ?? "an object without a type"
                throw AgentFailure("\(what) attaches \(type) \(attached.id?.description ?? ""); a VM attaches only "
                    + "resource/volume/file and resource/nic objects")
            }
        }
        // Stable: volumes of equal (or no) priority keep the order the VM lists them in.
        let ordered = volumes.enumerated().sorted { left, right in
            (left.element.priority ?? .max, left.offset) < (right.element.priority ?? .max, right.offset)
        }.map(\.element)
        var nextBootOrder = 1
        var disks = ordered.enumerated().map { index, volume -> Disk in
            var bootOrder: Int?
            if volume.priority != nil && directBoot == nil {
                bootOrder = nextBootOrder
                nextBootOrder += 1
            }
            return Disk(path: volume.path, target: Self.diskTarget(index), bootOrder: bootOrder)
        }
        // The cloud-init seed last, read-only, never booted from (docs/guest-image.md).
        if let seeds = settings.seedsDirectory {
            let seed = SeedDirectory.imagePath(in: seeds, of: id)
            guard XMLEscaping.isRepresentable(seed) else {
                throw AgentFailure("compute.seeds_directory \(seeds) cannot be written in a domain")
            }
            disks.append(Disk(path: seed, target: Self.diskTarget(disks.count), bootOrder: nil, format: "raw", readOnly: true))
        }

        self.init(uuid: id, name: DomainName.name(of: id), virtType: settings.virtType, arch: arch, vcpus: vcpus,
                  memoryKiB: memory.bytes / 1024, disks: disks, interfaces: interfaces, vnc: vnc,
                  consoleLog: DomainName.consoleLog(of: id, in: settings.consoleDirectory), directBoot: directBoot)
    }

    /// `vda` … `vdz`, `vdaa` …, as Linux names virtio disks.
    static func diskTarget(_ index: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var name = ""
        var rest = index
        repeat {
            name = String(letters[rest % 26]) + name
            rest = rest / 26 - 1
        } while rest >= 0
        return "vd" + name
    }

    /// The VM's `arch` as libvirt names it. The API accepts `amd64` (the seed's word).
    static func libvirtArchitecture(_ arch: String, what: String) throws -> String {
        switch arch.lowercased() {
        case "amd64", "x86_64": return "x86_64"
        default:
            throw AgentFailure("\(what): arch '\(arch)' is not supported by this agent; expected amd64 (x86_64)")
        }
    }

    static func vnc(password: String?, listen: String, what: String) throws -> VNC {
        if let password {
            // VNC authentication uses at most 8 characters; QEMU would silently ignore the rest.
            // The password itself never goes into the message.
            guard !password.isEmpty, password.count <= 8,
                  password.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline && $0.asciiValue! >= 0x20 })
            else {
                throw AgentFailure("\(what): vnc_password must be 1 to 8 printable ASCII characters without spaces "
                    + "(VNC uses only 8)")
            }
        }
        return VNC(listen: listen, password: password)
    }

    static func directBoot(of vm: Object, what: String, locate: (ImageName, String) throws -> String) throws -> DirectBoot? {
        func path(_ key: String, _ text: String?) throws -> String? {
            guard let text else { return nil }
            let name: ImageName
            do {
                name = try ImageName(validating: text)
            } catch {
                throw AgentFailure("\(what): \(key) \(error.message)")
            }
            let path = try locate(name, key)
            guard XMLEscaping.isRepresentable(path) else {
                throw AgentFailure("\(what): \(key) \(name) resolves to a path that cannot be written in a domain")
            }
            return path
        }
        if let cmdline = vm.cmdline, !XMLEscaping.isRepresentable(cmdline) || cmdline.contains(where: \.isNewline) {
            throw AgentFailure("\(what): cmdline must be one line without control characters")
        }
        guard vm.kernel != nil else {
            if vm.initrd != nil { throw AgentFailure("\(what): initrd needs kernel; give both, or neither") }
            if vm.cmdline != nil { throw AgentFailure("\(what): cmdline needs kernel; give both, or neither") }
            return nil
        }
        guard let kernel = try path("kernel", vm.kernel) else { return nil }
        return DirectBoot(kernel: kernel, initrd: try path("initrd", vm.initrd), cmdline: vm.cmdline)
    }

    /// The disk path of an attached volume; nil when it has no `url` yet and `complete` is false.
    static func diskPath(of volume: Object, complete: Bool) throws -> String? {
        let what = "volume \(volume.id?.description ?? "?")"
        guard let url = volume.url else {
            if !complete { return nil }
            throw AgentFailure("\(what) has no url yet; the VM cannot be defined without its disk")
        }
        guard let path = FileURL.path(of: url), XMLEscaping.isRepresentable(path) else {
            throw AgentFailure("\(what): url '\(url)' is not a file:// URL with an absolute path; this agent "
                + "attaches only files on its own host")
        }
        return path
    }

    /// The interface of an attached NIC; nil when its network has no bridge yet and `complete`
    /// is false.
    static func interface(of nic: Object, complete: Bool) throws -> Interface? {
        let what = "nic \(nic.id?.description ?? "?")"
        guard let hwAddr = nic.hwAddr else {
            throw AgentFailure("\(what) has no hw_addr; the scheduler assigns one (52:54:00:xx:xx:xx)")
        }
        guard let address = HardwareAddress(hwAddr) else {
            throw AgentFailure("\(what): hw_addr '\(hwAddr)' is not a MAC address like 52:54:00:12:34:56")
        }
        let mac = address.description
        guard address.isUnicast else {
            throw AgentFailure("\(what): hw_addr \(mac) is a multicast or broadcast address; a NIC needs a unicast "
                + "address like 52:54:00:12:34:56")
        }
        let networks = nic.dependencies(relation: Relation.portNetwork).map(\.object)
        guard networks.count <= 1 else {
            throw AgentFailure("\(what) is on \(networks.count) networks; a NIC is on one network")
        }
        guard let network = networks.first else {
            throw AgentFailure("\(what) has no network (a dependency with r: \(Relation.portNetwork))")
        }
        guard let bridge = network.bridge else {
            if !complete { return nil }
            throw AgentFailure("network \(network.id?.description ?? "?") of \(what) has no bridge yet")
        }
        guard !bridge.isEmpty, bridge.utf8.count <= 15,
              bridge.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "/" && $0 != ":" && $0.asciiValue! >= 0x20 })
        else {
            throw AgentFailure("network \(network.id?.description ?? "?"): bridge '\(bridge)' is not a Linux "
                + "interface name (1 to 15 characters, no spaces, '/' or ':')")
        }
        return Interface(bridge: bridge, mac: mac)
    }
}
