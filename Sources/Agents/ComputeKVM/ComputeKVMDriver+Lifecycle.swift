import AgentRuntime
import Foundation
import Logging
import Messages

extension ComputeKVMDriver {
    /// What ``converge(_:to:)`` did: the Notify's message when there is more to say than
    /// "Succeeded", and the running guest's VNC address.
    struct Converged: Sendable, Hashable {
        var message: String?
        var vncAddress: String?
    }

    /// Defines the domain as `definition` says, then brings it to `state` (`running`,
    /// `poweroff` or `saved`).
    func converge(_ definition: DomainDefinition, to state: String) async throws -> Converged {
        let id = definition.uuid
        let password = definition.vnc?.password
        let (created, changes) = try await ensureDefined(definition)
        guard var status = try await libvirt("read the state of \(definition.name)", password: password, {
            try await hypervisor.status(of: id)
        }) else {
            throw AgentFailure("domain \(definition.name) disappeared right after it was defined; apply again")
        }
        var notes: [String] = []
        var vncAddress: String?
        if !changes.isEmpty { notes.append("changed " + changes.joined(separator: "; ")) }

        switch state {
        case "running":
            if !status.isActive {
                try prepareConsoleLog(definition.consoleLog)
                do {
                    try await hypervisor.start(id)
                } catch {
                    if created { await undefineQuietly(id) }
                    throw failure("libvirt could not start VM \(id) (domain \(definition.name))", error, password: password)
                }
                logger.info("started a VM", metadata: metadata(definition, restored: status.hasManagedSaveImage))
                status = try await libvirt("read the state of \(definition.name)", password: password) {
                    try await hypervisor.status(of: id)
                } ?? status
            }
            if status.isActive && status.state == .paused {
                try await libvirt("resume \(definition.name)", password: password) { try await hypervisor.resume(id) }
                logger.info("resumed a paused VM", metadata: metadata(definition))
            }
            let liveXML = try await libvirt("read the running definition of \(definition.name)", password: password) {
                try await hypervisor.xml(of: id, inactive: false)
            }
            let live = try DomainXML.parse(liveXML)
            vncAddress = VNCAddress.read(liveXML: liveXML)
            let pending = definition.changes(from: live)
            if !pending.isEmpty {
                notes.append("the running guest still has the old settings (\(pending.joined(separator: "; "))); "
                    + "they apply when it restarts: set status poweroff, then running")
            }
        case "poweroff":
            if status.isActive {
                let graceful = try await powerOff(definition, paused: status.state == .paused)
                if !graceful {
                    notes.append("the guest did not shut down within \(configuration.shutdownTimeout.secondsText) "
                        + "and was stopped forcibly")
                }
            }
            let now = try await libvirt("read the state of \(definition.name)", password: password) {
                try await hypervisor.status(of: id)
            }
            if now?.hasManagedSaveImage == true {
                try await libvirt("discard the saved state of \(definition.name)", password: password) {
                    try await hypervisor.removeManagedSave(id)
                }
                notes.append("its saved state was discarded; it boots afresh when started")
            }
        case "saved":
            if status.isActive {
                try await libvirt("save VM \(id) (domain \(definition.name))", password: password) {
                    try await hypervisor.managedSave(id)
                }
                logger.info("saved a VM", metadata: metadata(definition))
            } else if !status.hasManagedSaveImage {
                notes.append("it was not running, so there was nothing to save; it stays powered off")
            }
        default:
            throw AgentFailure("status '\(state)' is not a state of a resource/vm/kvm")
        }
        guard !notes.isEmpty else { return Converged(vncAddress: vncAddress) }
        let verb = state == "running" && !created && !changes.isEmpty ? "update" : Self.verb(state)
        return Converged(message: "Succeeded to \(verb) resource: " + notes.joined(separator: "; ") + ".",
                         vncAddress: vncAddress)
    }

    /// Creates the serial console's log file readable by its owner only (or makes an existing
    /// one so): QEMU and libvirt append to a file that exists and keep its mode, whatever their
    /// own umask. libvirt hands it to QEMU's user while the guest runs.
    func prepareConsoleLog(_ path: String) throws {
        do {
            try OwnerOnly.createDirectory(atPath: (path as NSString).deletingLastPathComponent)
            let handle = try OwnerOnly.openForWriting(path)
            try handle.close()
        } catch {
            throw AgentFailure("cannot prepare the console log \(path): \(error.localizedDescription); check that "
                + "the agent may write in agent.state_dir")
        }
    }

    /// Defines the domain when it does not exist or differs from `definition`; says whether it
    /// was created and what changed.
    func ensureDefined(_ definition: DomainDefinition) async throws -> (created: Bool, changes: [String]) {
        let password = definition.vnc?.password
        let existing = try await libvirt("look up domain \(definition.name)", password: password) {
            try await hypervisor.status(of: definition.uuid)
        }
        var changes: [String] = []
        if existing != nil {
            let defined = try await libvirt("read the definition of \(definition.name)", password: password) {
                try DomainXML.parse(try await hypervisor.xml(of: definition.uuid, inactive: true))
            }
            changes = definition.changes(from: defined)
            if changes.isEmpty { return (false, []) }
        }
        // On one line, and only ever with the password masked.
        let loggedXML = DomainXML.render(definition.maskingPassword())
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined()
        logger.debug("defining a domain", metadata: metadata(definition).merging(["domain_xml": "\(loggedXML)"]) { $1 })
        do {
            try await hypervisor.define(xml: DomainXML.render(definition))
        } catch {
            throw failure("libvirt refused the definition of VM \(definition.uuid) (domain \(definition.name))",
                          error, password: password)
        }
        if existing == nil {
            logger.info("defined a VM", metadata: metadata(definition))
        } else {
            logger.info("redefined a VM", metadata: metadata(definition).merging([
                "changes": "\(changes.joined(separator: "; "))",
            ]) { $1 })
        }
        return (existing == nil, changes)
    }

    /// Asks the guest to power off, waits up to the shutdown timeout, then stops it forcibly.
    /// A paused guest cannot react to the request and is stopped at once. Returns whether the
    /// guest stopped by itself.
    func powerOff(_ definition: DomainDefinition, paused: Bool) async throws -> Bool {
        let id = definition.uuid
        if !paused {
            do {
                try await hypervisor.shutdown(id)
                let deadline = ContinuousClock.now + configuration.shutdownTimeout
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: shutdownPollInterval)
                    guard let status = try await hypervisor.status(of: id), status.isActive else {
                        logger.info("powered off a VM", metadata: metadata(definition))
                        return true
                    }
                }
            } catch let error as LibvirtError where error.isInvalidInCurrentState || error.isNoDomain {
                // It stopped on its own meanwhile; the check below sees it.
            } catch let error as LibvirtError {
                throw failure("libvirt could not shut down VM \(id) (domain \(definition.name))", error, password: nil)
            }
        }
        try await destroyIfActive(id, name: definition.name)
        logger.info("stopped a VM forcibly", metadata: metadata(definition).merging([
            "reason": "\(paused ? "paused guests cannot shut down" : "shutdown timeout passed")",
        ]) { $1 })
        return false
    }

    /// Stops and undefines the VM's domain and removes its console log; a missing domain is
    /// already removed.
    func remove(_ id: ObjectID) async throws {
        let name = DomainName.name(of: id)
        if let status = try await libvirt("look up domain \(name)", { try await hypervisor.status(of: id) }) {
            if status.isActive { try await destroyIfActive(id, name: name) }
            if let after = try await libvirt("read the state of \(name)", { try await hypervisor.status(of: id) }),
               after.isPersistent {
                do {
                    try await hypervisor.undefine(id)
                } catch let error as LibvirtError where error.isNoDomain {
                } catch {
                    throw failure("libvirt could not undefine VM \(id) (domain \(name))", error, password: nil)
                }
            }
            logger.info("deleted a VM", metadata: ["vm_id": "\(id)", "domain": "\(name)"])
        }
        try? FileManager.default.removeItem(atPath: DomainName.consoleLog(of: id, in: configuration.consoleDirectory))
    }

    /// Stops the guest at once; one that has stopped meanwhile is fine.
    func destroyIfActive(_ id: ObjectID, name: String) async throws {
        do {
            try await hypervisor.destroy(id)
        } catch let error as LibvirtError where error.isInvalidInCurrentState || error.isNoDomain {
            if try await hypervisor.status(of: id)?.isActive == true {
                throw failure("libvirt could not stop VM \(id) (domain \(name))", error, password: nil)
            }
        } catch {
            throw failure("libvirt could not stop VM \(id) (domain \(name))", error, password: nil)
        }
    }

    /// Rolls back a definition made by a request that then failed.
    func undefineQuietly(_ id: ObjectID) async {
        do {
            try await hypervisor.undefine(id)
        } catch {
            logger.warning("cannot undefine a domain whose start failed; delete the VM to remove it", metadata: [
                "vm_id": "\(id)", "error": "\(error)",
            ])
        }
    }

    // MARK: Errors and logs

    /// Runs a libvirt step, turning its error into a sentence that says what was being done.
    func libvirt<Result: Sendable>(_ doing: String, password: String? = nil,
                                   _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as LibvirtError {
            throw failure("libvirt could not \(doing)", error, password: password)
        }
    }

    /// `context: libvirt's message`, the VNC password masked should libvirt quote it.
    func failure(_ context: String, _ error: any Error, password: String?) -> any Error {
        let reason: String
        switch error {
        case let error as LibvirtError: reason = error.message
        case let error as AgentFailure: return error
        default: reason = "\(error)"
        }
        var text = "\(context): \(reason)"
        if let password, !password.isEmpty {
            text = text.replacingOccurrences(of: password, with: Object.passwordMask)
        }
        return AgentFailure(text)
    }

    func metadata(_ definition: DomainDefinition, restored: Bool? = nil) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["vm_id": "\(definition.uuid)", "domain": "\(definition.name)"]
        if let restored { metadata["restored_from_save"] = "\(restored)" }
        return metadata
    }

    static func verb(_ state: String) -> String {
        switch state {
        case "poweroff": "power off"
        case "saved": "save"
        default: "create"
        }
    }
}

extension Duration {
    /// `60 s`, `1.5 s`.
    var secondsText: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
