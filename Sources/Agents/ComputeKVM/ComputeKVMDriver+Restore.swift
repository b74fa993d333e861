import AgentRuntime
import Foundation
import Messages

/// Power across reboots: after the hypervisor restarts, the guests that should run are started
/// again by the agent's start-up reconciliation, from the domains libvirt holds.
extension ComputeKVMDriver {
    /// A VM applied as `running` and found powered off (the host restarted, or its QEMU died) or
    /// saved (a host shutdown that saved its guests, as libvirt-guests does) is started again.
    /// Anything else that differs (a paused guest, changed vcpus, a missing domain) is only
    /// reported.
    public func restoresAtStart(held: Object, found: Object) -> Bool {
        Self.restoresAtStart(held: held, found: found)
    }

    static func restoresAtStart(held: Object, found: Object) -> Bool {
        guard held.type == .vmKVM, found.type == nil || found.type == .vmKVM else { return false }
        guard (held.desiredState ?? ObjectType.vmKVM.defaultDesiredState) == "running" else { return false }
        return found.desiredState == "poweroff" || found.desiredState == "saved"
    }

    /// Starts the VM's domain as libvirt holds it (a saved guest resumes where it was saved) and
    /// returns `held` with the VNC address the guest got. The domain is never redefined here:
    /// `held` is redacted, and what was applied is what libvirt holds.
    public func restoreAtStart(_ held: Object) async throws -> ApplyOutcome {
        guard let id = held.id else { throw AgentFailure("the VM has no id") }
        let name = DomainName.name(of: id)
        guard let status = try await libvirt("look up domain \(name)", { try await hypervisor.status(of: id) }) else {
            throw AgentFailure("domain \(name) is not defined any more; apply the spec again to recreate it")
        }
        // Only libvirt knows the VNC password now; it masks libvirt's messages should they quote it.
        let defined = try await libvirt("read the definition of \(name)") {
            try DomainXML.parse(try await hypervisor.xml(of: id, inactive: true))
        }
        let password = defined.vnc?.password
        if !status.isActive {
            if !defined.consoleLog.isEmpty { try prepareConsoleLog(defined.consoleLog) }
            do {
                try await hypervisor.start(id)
            } catch {
                throw failure("libvirt could not start VM \(id) (domain \(name))", error, password: password)
            }
            logger.info("started a VM at agent start", metadata: [
                "vm_id": "\(id)", "domain": "\(name)", "restored_from_save": "\(status.hasManagedSaveImage)",
            ])
        }
        let liveXML = try await libvirt("read the running definition of \(name)", password: password) {
            try await hypervisor.xml(of: id, inactive: false)
        }
        var restored = held
        restored.vncAddress = VNCAddress.read(liveXML: liveXML)
        return ApplyOutcome(object: restored)
    }
}
