import AgentRuntime
import Foundation
import Logging
import Messages

/// `resource/vm/kvm`: QEMU/KVM guests through libvirt, one persistent domain per VM, named
/// `n0-ID` with the VM's id as its UUID.
///
/// - `running`: defined (or redefined when the request changed vcpus, memory, disks, NICs …)
///   and started; a saved guest resumes where it was saved, a paused one is resumed. The
///   applied VM carries `vnc_address`, where libvirt's autoport put its console
///   (``VNCAddress``); in every other state it has none.
/// - `poweroff`: asked to shut down (ACPI); past `compute.shutdown_timeout_seconds` it is
///   stopped forcibly. A saved guest's saved state is discarded: it boots afresh next time.
/// - `saved`: managed save; its memory goes to disk and the next `running` resumes it.
/// - `deleted`: stopped and undefined, with its saved state and console log. Its volumes are
///   the volumer's and stay.
///
/// A running guest keeps the settings it was started with: when a new version changes them,
/// the definition is replaced at once and the `Notify` says the guest must be restarted
/// (powered off, then running) for them to apply. A domain newly defined by a request whose
/// start fails is undefined again, so a failed request leaves nothing behind.
///
/// A VM's `kernel` and `initrd` are images of `compute.images_directory`, resolved there when
/// the domain is defined (``AgentRuntime/ImagesDirectory``); the serial console log is created
/// 0600 before the guest first writes to it.
///
/// At agent start, a VM held `running` and found shut off (the host restarted) is started again
/// (``restoresAtStart(held:found:)``, ``restoreAtStart(_:)``).
///
/// The heartbeat's capacity is the host's through ``ComputeKVMConfiguration/allocation``.
///
/// The VNC password goes to libvirt and nowhere else: the domain XML is logged (at debug) only
/// with the password masked, and masked in libvirt's errors too.
///
/// Every VM gets a cloud-init NoCloud seed (``NoCloudSeed``: instance id, host name, SSH keys,
/// user-data, the NICs' fixed addresses), written before the domain is defined and rewritten
/// when the VM's fields change (``SeedDirectory``); a running guest reads the new one at its
/// next start. Deleting the VM removes it. Its contents are never logged.
public struct ComputeKVMDriver: AgentDriver {
    public let agentType = ObjectType.agentComputeKVM
    let configuration: ComputeKVMConfiguration
    let hypervisor: any Hypervisor
    let logger: Logger
    /// How often a guest that was asked to shut down is checked.
    let shutdownPollInterval: Duration
    /// The cloud-init seeds; nil when the configuration names no seeds directory.
    let seeds: SeedDirectory?

    public init(configuration: ComputeKVMConfiguration, hypervisor: any Hypervisor, logger: Logger,
                shutdownPollInterval: Duration = .milliseconds(250), commands: (any CommandRunner)? = nil) {
        self.configuration = configuration
        self.hypervisor = hypervisor
        self.logger = logger
        self.shutdownPollInterval = shutdownPollInterval
        seeds = configuration.seedsDirectory.map {
            SeedDirectory(path: $0, commands: commands ?? ProcessCommandRunner(logger: logger))
        }
    }

    /// Creates the console directory (its owner's only), prepares an embedded driver's root,
    /// and connects, so a host where libvirt cannot work stops the agent with libvirt's reason.
    public func prepare() async throws {
        do {
            try OwnerOnly.createDirectory(atPath: configuration.consoleDirectory)
        } catch {
            throw AgentFailure("cannot create the console log directory \(configuration.consoleDirectory): "
                + "\(error.localizedDescription); set agent.state_dir to a writable directory")
        }
        if let root = configuration.embedRoot {
            try EmbeddedRoot(path: root).prepare(logger: logger)
        }
        do {
            try await hypervisor.connect()
        } catch {
            throw AgentFailure("cannot connect to libvirt at \(configuration.libvirtURI): \(error). Check that "
                + "libvirtd runs (for qemu:///system) or set compute.libvirt_uri")
        }
        await logCapacity()
    }

    public func validate(_ object: Object) throws {
        let state = object.desiredState ?? ObjectType.vmKVM.defaultDesiredState
        guard ObjectType.vmKVM.allowedDesiredStates.contains(state) else {
            throw AgentFailure("status '\(state)' is not a state of a resource/vm/kvm; expected one of "
                + ObjectType.vmKVM.allowedDesiredStates.joined(separator: ", "))
        }
        // Removing a VM needs nothing but its id.
        guard state != "deleted" else { return }
        try DomainDefinition.check(vm: object)
        if seeds != nil { _ = try NoCloudSeed(vm: object) }
    }

    public func apply(_ vm: Object) async throws -> ApplyOutcome {
        guard let id = vm.id else { throw AgentFailure("the VM has no id") }
        switch vm.desiredState ?? ObjectType.vmKVM.defaultDesiredState {
        case "deleted":
            try await remove(id)
            try seeds?.remove(id)
            var removed = vm
            removed.vncAddress = nil
            return ApplyOutcome(object: removed)
        case let state:
            let definition = try DomainDefinition(vm: vm, settings: configuration.domainSettings)
            let seed = try await writeSeed(of: vm, id: id)
            // A guest that runs keeps the seed it booted with: say so when it changed.
            var seedNote: String?
            if seed == .rewritten, state == "running", (try? await hypervisor.status(of: id))??.isActive == true {
                seedNote = "its cloud-init seed changed; the running guest reads it when it next starts"
            }
            do {
                let converged = try await converge(definition, to: state)
                var applied = vm
                applied.vncAddress = converged.vncAddress
                return ApplyOutcome(object: applied, message: Self.adding(seedNote, to: converged.message))
            } catch {
                // A failed request leaves nothing behind: a seed it made goes too.
                if seed == .created { try? seeds?.remove(id) }
                throw error
            }
        }
    }

    enum SeedWrite { case unchanged, created, rewritten }

    /// Writes the VM's seed when it differs from the one there.
    func writeSeed(of vm: Object, id: ObjectID) async throws -> SeedWrite {
        guard let seeds else { return .unchanged }
        let image = SeedDirectory.imagePath(in: seeds.path, of: id)
        let existed = FileManager.default.fileExists(atPath: image)
        guard try await seeds.write(try NoCloudSeed(vm: vm), for: id) else { return .unchanged }
        logger.info(existed ? "rewrote the VM's cloud-init seed" : "wrote the VM's cloud-init seed",
                    metadata: ["vm_id": "\(id)", "seed": "\(image)"])
        return existed ? .rewritten : .created
    }

    /// `message` (converge's, nil for "Succeeded") with `note` added as one more clause.
    static func adding(_ note: String?, to message: String?) -> String? {
        guard let note else { return message }
        guard let message else { return "Succeeded to update resource: \(note)." }
        return (message.hasSuffix(".") ? String(message.dropLast()) : message) + "; \(note)."
    }

    /// What the host offers guests: its CPUs and memory as libvirt reports them, through the
    /// configured allocation ratios and reservations (``ComputeKVMConfiguration/allocation``).
    public func capacity() async throws -> Capacity? {
        configuration.allocation.allocatable(try await physicalCapacity())
    }

    /// The host's CPUs and memory (whole MiB), as libvirt reports them.
    func physicalCapacity() async throws -> Capacity {
        let node = try await libvirt("read the host's CPUs and memory") { try await hypervisor.nodeInfo() }
        let bytes = node.memoryKiB.multipliedReportingOverflow(by: 1024)
        let memory = bytes.overflow ? UInt64.max : bytes.partialValue
        return Capacity(vcpus: node.cpus, memory: Size(bytes: memory - memory % Size.Unit.mb.bytes))
    }

    /// Logs what the host has and what it offers, so an operator sees the ratios at work.
    func logCapacity() async {
        do {
            let physical = try await physicalCapacity()
            let allocation = configuration.allocation
            let offered = allocation.allocatable(physical)
            let metadata: Logger.Metadata = [
                "physical_vcpus": "\(physical.vcpus ?? 0)", "physical_memory": "\(physical.memory ?? Size(bytes: 0))",
                "allocatable_vcpus": "\(offered.vcpus ?? 0)", "allocatable_memory": "\(offered.memory ?? Size(bytes: 0))",
                "cpu_allocation_ratio": "\(allocation.cpuRatio)", "ram_allocation_ratio": "\(allocation.memoryRatio)",
                "reserved_host_cpus": "\(allocation.reservedCPUs)", "reserved_host_memory": "\(allocation.reservedMemory)",
            ]
            if allocation.reservesAll(of: physical) {
                logger.warning(
                    "the reserved CPUs or memory take all this host has; it offers no room for VMs (lower compute.reserved_host_cpus or compute.reserved_host_memory)",
                    metadata: metadata)
            } else {
                logger.info("host capacity", metadata: metadata)
            }
        } catch {
            logger.warning("cannot read the host's CPUs and memory", metadata: ["error": "\(error)"])
        }
    }

    /// The domains this agent made (named `n0-ID`), with the state they are in (`running`,
    /// `paused`, `saved`, `poweroff`), vcpus and memory.
    public func inventory() async throws -> [Object] {
        try await libvirt("list the domains") { try await hypervisor.domains() }.compactMap { listing in
            guard let id = DomainName.vmID(ofDomainNamed: listing.name) else { return nil }
            return Object(type: .vmKVM, id: id, desiredState: Self.observedState(listing.status),
                          vcpus: listing.status.vcpus, memory: Size(bytes: listing.status.memoryKiB * 1024))
        }
    }

    public func differences(held: Object, found: Object) -> [String] {
        var differences: [String] = []
        if let state = held.desiredState, let actual = found.desiredState, state != actual {
            differences.append("it is \(actual), applied as \(state)")
        }
        if let vcpus = held.vcpus, let actual = found.vcpus, vcpus != actual {
            differences.append("it has \(actual) vcpus, applied with \(vcpus)")
        }
        if let memory = held.memory, let actual = found.memory, memory != actual {
            differences.append("it has \(actual) of memory, applied with \(memory)")
        }
        return differences
    }

    /// A VM's state as this agent names desired states, from libvirt's.
    static func observedState(_ status: DomainStatus) -> String {
        switch (status.isActive, status.state) {
        case (true, .paused): "paused"
        case (true, .suspended): "pm-suspended"
        case (true, _): "running"
        case (false, _): status.hasManagedSaveImage ? "saved" : "poweroff"
        }
    }
}
