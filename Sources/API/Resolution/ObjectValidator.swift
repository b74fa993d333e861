import Messages

/// The rules each type of object must satisfy once its references are resolved: required
/// fields, bounds, addresses inside their subnet, relations between the right types.
struct ObjectValidator {
    let context: ResolutionContext
    /// The full object with an id, from the document or the graph.
    let lookup: (ObjectID) -> Object?
    private(set) var problems: [FieldProblem] = []
    /// Fixed addresses this document gives out, per network, with where.
    private var addresses: [ObjectID: [IPv4Address: String]] = [:]

    static let vcpuBounds = 1...128
    static let memoryBounds = Size(16, .mb)...Size(4, .tb)
    static let volumeBounds = Size(1, .mb)...Size(64, .tb)
    static let architectures = ["amd64"]

    init(context: ResolutionContext, lookup: @escaping (ObjectID) -> Object?) {
        self.context = context
        self.lookup = lookup
    }

    private mutating func problem(_ path: String, _ message: String) {
        problems.append(FieldProblem(path: path, message: message))
    }

    /// Checks `object` (dependencies by id) found at `path`; `dependencyPaths[i]` is where its
    /// i-th dependency was written.
    mutating func validate(_ object: Object, path: String, dependencyPaths: [String], dependenciesResolved: Bool) {
        guard let type = object.type, let id = object.id else { return }
        checkRelations(object, type: type, path: path, dependencyPaths: dependencyPaths)
        switch type {
        case .vmKVM: validateVM(object, path: path)
        case .volumeFile: validateVolume(object, path: path)
        case .nic where dependenciesResolved: validateNIC(object, id: id, path: path)
        case .nic: break
        case .networkVLAN: validateNetwork(object, path: path)
        case .image: validateImage(object, path: path)
        case .agentComputeKVM, .agentVolumerFile, .agentPorterVLAN: break
        }
    }

    private mutating func checkRelations(_ object: Object, type: ObjectType, path: String, dependencyPaths: [String]) {
        var bootPriorities: [Int: String] = [:]
        for (index, dependency) in (object.dependencies ?? []).enumerated() {
            let at = index < dependencyPaths.count ? dependencyPaths[index] : "\(path).dependencies[\(index)]"
            guard let targetID = dependency.object.id else { continue }
            let targetType = lookup(targetID)?.type
            let relation = dependency.property.relation
            let allowed: Set<ObjectType>
            switch (type, relation) {
            case (.vmKVM, Relation.vmAttachments): allowed = [.volumeFile, .nic]
            case (.nic, Relation.portNetwork): allowed = [.networkVLAN]
            case (.volumeFile, Relation.volumeImage): allowed = [.image]
            case (_, Relation.scheduled), (_, Relation.networkPeer), (_, Relation.networkDHCPServer):
                problem("\(at).property.r", "'\(relation)' is set by the scheduler, not by users")
                continue
            default:
                problem("\(at).property.r", "relation '\(relation)' is not valid on a \(type.rawValue)\(Self.relationHint(type))")
                continue
            }
            if let targetType, !allowed.contains(targetType) {
                problem("\(at).object", "a \(type.rawValue) cannot have '\(relation)' on a \(targetType.rawValue); expected \(allowed.map(\.rawValue).sorted().joined(separator: " or "))")
            }
            if targetType == .image, !["deleted", "destroyed"].contains(object.desiredState ?? ""), lookup(targetID)?.desiredState == "deleted" {
                problem("\(at).object", "image \(targetID) is deleted; a volume cannot be made from it")
            }
            if let priority = dependency.property.bootPriority {
                if targetType != .volumeFile {
                    problem("\(at).property.n0stack/n0core/vm/boot_priority", "only volumes have a boot priority")
                } else if priority < 0 {
                    problem("\(at).property.n0stack/n0core/vm/boot_priority", "must be 0 or more")
                } else if let other = bootPriorities[priority] {
                    problem("\(at).property.n0stack/n0core/vm/boot_priority", "boot priority \(priority) is already given at \(other)")
                } else {
                    bootPriorities[priority] = at
                }
            }
        }
    }

    private static func relationHint(_ type: ObjectType) -> String {
        switch type {
        case .vmKVM: "; a VM takes '\(Relation.vmAttachments)'"
        case .nic: "; a NIC takes '\(Relation.portNetwork)'"
        case .volumeFile: "; a volume takes '\(Relation.volumeImage)' on the image it is made from"
        default: "; a \(type.rawValue) has no dependencies"
        }
    }

    private mutating func validateVM(_ vm: Object, path: String) {
        if let vcpus = vm.vcpus {
            if !Self.vcpuBounds.contains(vcpus) {
                problem("\(path).vcpus", "\(vcpus) is out of bounds; expected \(Self.vcpuBounds.lowerBound) to \(Self.vcpuBounds.upperBound)")
            }
        } else {
            problem("\(path).vcpus", "is required for a resource/vm/kvm")
        }
        if let memory = vm.memory {
            if !Self.memoryBounds.contains(memory) {
                problem("\(path).memory", "\(memory) is out of bounds; expected \(Self.memoryBounds.lowerBound) to \(Self.memoryBounds.upperBound)")
            }
        } else {
            problem("\(path).memory", "is required for a resource/vm/kvm")
        }
        if let arch = vm.arch, !Self.architectures.contains(arch) {
            problem("\(path).arch", "'\(arch)' is not supported; expected \(Self.architectures.joined(separator: ", "))")
        }
        if let password = vm.vncPassword {
            // VNC's authentication uses at most 8 characters; QEMU would silently ignore the rest.
            if password.isEmpty || password.count > 8 || !password.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) {
                problem("\(path).vnc_password", "must be 1 to 8 printable ASCII characters without spaces (VNC uses only 8)")
            }
        }
        for (key, value) in [("kernel", vm.kernel), ("initrd", vm.initrd)] {
            if let value { checkImageName(value, at: "\(path).\(key)") }
        }
        if let cmdline = vm.cmdline, cmdline.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problem("\(path).cmdline", "must be one line without control characters")
        }
        checkSetByAgent(vm.vncAddress, stored: context.existing[vm.id!]?.object.vncAddress, at: "\(path).vnc_address",
                        agent: "compute agent")
        if vm.kernel == nil {
            if vm.initrd != nil { problem("\(path).initrd", "needs `kernel`") }
            if vm.cmdline != nil { problem("\(path).cmdline", "needs `kernel`") }
        }
        validateGuestConfiguration(vm, path: path)
    }

    /// The fields that go into the guest's cloud-init seed. Neither the user-data nor a key is
    /// ever quoted in a problem.
    private mutating func validateGuestConfiguration(_ vm: Object, path: String) {
        if let hostname = vm.hostname, let why = HostName.problem(hostname) {
            problem("\(path).hostname", why)
        }
        if let keys = vm.sshAuthorizedKeys {
            if keys.count > SSHAuthorizedKey.maximumCount {
                problem("\(path).ssh_authorized_keys", "has \(keys.count) keys; at most \(SSHAuthorizedKey.maximumCount) are allowed")
            } else {
                for (index, key) in keys.enumerated() {
                    if let why = SSHAuthorizedKey.problem(key) { problem("\(path).ssh_authorized_keys[\(index)]", why) }
                }
            }
        }
        if let userData = vm.userData, let why = UserData.problem(userData) {
            problem("\(path).user_data", why)
        }
    }

    private mutating func validateVolume(_ volume: Object, path: String) {
        if let size = volume.size {
            if !Self.volumeBounds.contains(size) {
                problem("\(path).size", "\(size) is out of bounds; expected \(Self.volumeBounds.lowerBound) to \(Self.volumeBounds.upperBound)")
            }
        } else {
            problem("\(path).size", "is required for a resource/volume/file")
        }
        checkSetByAgent(volume.url, stored: context.existing[volume.id!]?.object.url, at: "\(path).url", agent: "volumer")
        if let source = volume.source { checkImageName(source, at: "\(path).source") }
        let images = volume.dependencies(relation: Relation.volumeImage)
        if images.count > 1 {
            problem("\(path).dependencies", "a volume is made from at most one image; found \(images.count)")
        }
        if !images.isEmpty, volume.source != nil {
            problem("\(path).source", "give either `source` (a file in the images directory) or a "
                + "'\(Relation.volumeImage)' dependency on a resource/image, not both")
        }
    }

    /// A `resource/image` (docs/images.md): where it comes from, its format, and for a URL the
    /// checksum the volumer verifies. What makes its bytes cannot change once it exists, since
    /// volumes made from it are copy-on-write overlays of those bytes.
    private mutating func validateImage(_ image: Object, path: String) {
        checkSetByAgent(image.url, stored: context.existing[image.id!]?.object.url, at: "\(path).url", agent: "volumer")
        var isURL = false
        if let source = image.source {
            do {
                if case .url = try ImageSource(validating: source) { isURL = true }
            } catch {
                problem("\(path).source", error.message)
            }
        } else {
            problem("\(path).source", "is required for a resource/image: an https:// URL or the name of a file in the "
                + "hypervisors' images directory")
        }
        if let format = image.format {
            do { _ = try ImageFormat(validating: format) } catch { problem("\(path).format", error.message) }
        } else {
            problem("\(path).format", "is required for a resource/image: qcow2 or raw")
        }
        if let checksum = image.checksum {
            do { _ = try ImageChecksum(validating: checksum) } catch { problem("\(path).checksum", error.message) }
        } else if isURL {
            problem("\(path).checksum", "is required for an image fetched from a URL: sha256: and the image's 64 "
                + "hex-digit digest, which the volumer verifies")
        }
        if let stored = context.existing[image.id!]?.object, stored.desiredState != "deleted" {
            for (key, now, before) in [("source", image.source, stored.source), ("format", image.format, stored.format),
                                       ("checksum", image.checksum, stored.checksum)] where now != before {
                problem("\(path).\(key)", "cannot change on an existing image: volumes made from it are overlays of its "
                    + "bytes. Create a new resource/image instead")
            }
        }
    }

    private mutating func validateNetwork(_ network: Object, path: String) {
        checkSetByAgent(network.bridge, stored: context.existing[network.id!]?.object.bridge, at: "\(path).bridge",
                        agent: "porter")
        if let vlan = network.parameters?.vlanID, !(1...4094).contains(vlan) {
            problem("\(path).parameters.vlan_id", "\(vlan) is not a VLAN id; expected 1 to 4094")
        }
        guard let subnets = network.subnets, !subnets.isEmpty else {
            problem("\(path).subnets", "is required: at least one subnet with a cidr")
            return
        }
        for (index, subnet) in subnets.enumerated() {
            let at = "\(path).subnets[\(index)]"
            let cidr: IPv4Subnet
            do {
                cidr = try IPv4Subnet(parsing: subnet.cidr)
            } catch {
                problem("\(at).cidr", error.description)
                continue
            }
            if cidr.prefixLength > 30 {
                problem("\(at).cidr", "/\(cidr.prefixLength) leaves no room for hosts, a gateway and the DHCP server; use /30 or larger")
            }
            guard let dhcp = subnet.dhcp else { continue }
            var range: IPv4Range?
            if let text = dhcp.range {
                do {
                    let parsed = try IPv4Range(parsing: text)
                    if !cidr.containsHost(parsed.first) || !cidr.containsHost(parsed.last) {
                        problem("\(at).dhcp.range", "\(text) is not inside \(cidr)")
                    } else {
                        range = parsed
                    }
                } catch {
                    problem("\(at).dhcp.range", error.description)
                }
            } else {
                problem("\(at).dhcp.range", "is required when dhcp is given")
            }
            if let text = dhcp.gateway {
                if let gateway = IPv4Address(text) {
                    if !cidr.containsHost(gateway) {
                        problem("\(at).dhcp.gateway", "\(text) is not a host address inside \(cidr)")
                    } else if let range, range.contains(gateway) {
                        problem("\(at).dhcp.gateway", "\(text) lies inside the DHCP range \(range); DHCP could lease it to a guest")
                    }
                } else {
                    problem("\(at).dhcp.gateway", "'\(text)' is not an IPv4 address")
                }
            }
            for (n, text) in (dhcp.nameservers ?? []).enumerated() {
                if let server = IPv4Address(text) {
                    if !cidr.containsHost(server) {
                        problem("\(at).dhcp.nameservers[\(n)]", "\(text) is not a host address inside \(cidr)")
                    }
                } else {
                    problem("\(at).dhcp.nameservers[\(n)]", "'\(text)' is not an IPv4 address")
                }
            }
        }
    }

    private mutating func validateNIC(_ nic: Object, id: ObjectID, path: String) {
        let networks = (nic.dependencies ?? []).enumerated().filter { $0.element.property.relation == Relation.portNetwork }
        guard networks.count == 1, let networkID = networks[0].element.object.id else {
            problem("\(path).dependencies", networks.isEmpty
                ? "a resource/nic needs one dependency '\(Relation.portNetwork)' on its network"
                : "a resource/nic is on exactly one network; found \(networks.count)")
            return
        }
        if let mac = nic.hwAddr, HardwareAddress(mac)?.isUnicast != true {
            problem("\(path).hw_addr", "'\(mac)' is not a unicast MAC address like 52:54:00:12:34:56")
        }
        guard let addresses = nic.ipAddresses else { return }
        let network = lookup(networkID)
        let subnets = (network?.subnets ?? []).compactMap { try? IPv4Subnet(parsing: $0.cidr) }
        let gateways = Set((network?.subnets ?? []).compactMap { $0.dhcp?.gateway })
        for (index, text) in addresses.enumerated() {
            let at = "\(path).ip_addresses[\(index)]"
            guard let address = IPv4Address(text) else {
                problem(at, "'\(text)' is not an IPv4 address")
                continue
            }
            if !subnets.isEmpty, !subnets.contains(where: { $0.containsHost(address) }) {
                problem(at, "\(text) is not inside the network's subnet \(subnets.map(\.description).joined(separator: ", "))")
                continue
            }
            if gateways.contains(text) {
                problem(at, "\(text) is the network's gateway")
            }
            if let holder = context.heldAddresses[networkID]?[address], holder != id {
                problem(at, "\(text) is already held by NIC \(holder) on network \(networkID)")
            } else if let other = self.addresses[networkID]?[address] {
                problem(at, "\(text) is already given to the NIC at \(other) on the same network")
            } else {
                self.addresses[networkID, default: [:]][address] = at
            }
        }
    }

    /// Images come only from each hypervisor's images directory, named relative to it
    /// (``Messages/ImageName``); host paths and URLs are refused before anything is stored.
    private mutating func checkImageName(_ text: String, at path: String) {
        do {
            _ = try ImageName(validating: text)
        } catch {
            problem(path, error.message)
        }
    }

    /// A field an agent fills in (a volume's `url`, a network's `bridge`): a user may only send
    /// back the value stored, as a read document carries it; any other value would point a VM
    /// at a file or an interface of the host that its agent never made.
    private mutating func checkSetByAgent(_ value: String?, stored: String?, at path: String, agent: String) {
        guard let value, value != stored else { return }
        problem(path, stored == nil
            ? "is set by the \(agent); leave it out"
            : "is set by the \(agent) and cannot be changed; leave it out or send back the value stored")
    }
}
