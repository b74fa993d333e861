import Messages

extension DomainDefinition {
    /// How this definition differs from `other` (what libvirt holds), one phrase per changed
    /// part, e.g. `memory 4gb → 8gb`; empty when libvirt already holds this. The VNC password
    /// is compared but never quoted. An `arch` left to libvirt is not compared (libvirt fills
    /// in the host's).
    public func changes(from other: DomainDefinition) -> [String] {
        var changes: [String] = []
        func note<Value: Equatable>(_ what: String, _ old: Value, _ new: Value, _ show: (Value) -> String) {
            if old != new { changes.append("\(what) \(show(old)) → \(show(new))") }
        }
        note("domain type", other.virtType, virtType) { $0.rawValue }
        if let arch { note("arch", other.arch ?? "unset", arch) { $0 } }
        note("vcpus", other.vcpus, vcpus) { "\($0)" }
        note("memory", other.memoryKiB, memoryKiB) { Size(bytes: $0 * 1024).description }
        note("disks", other.disks, disks) { disks in
            disks.isEmpty ? "none" : disks.map { "\($0.target) \($0.path)" + ($0.bootOrder.map { " (boot \($0))" } ?? "") + ($0.readOnly ? " (read-only)" : "") }
                .joined(separator: ", ")
        }
        note("NICs", other.interfaces, interfaces) { interfaces in
            interfaces.isEmpty ? "none" : interfaces.map { "\($0.mac) on \($0.bridge)" }.joined(separator: ", ")
        }
        note("VNC listen address", other.vnc?.listen ?? "none", vnc?.listen ?? "none") { $0 }
        if other.vnc?.password != vnc?.password {
            changes.append("VNC password changed")
        }
        note("kernel", other.directBoot?.kernel ?? "none", directBoot?.kernel ?? "none") { $0 }
        note("initrd", other.directBoot?.initrd ?? "none", directBoot?.initrd ?? "none") { $0 }
        note("cmdline", other.directBoot?.cmdline ?? "none", directBoot?.cmdline ?? "none") { "'\($0)'" }
        note("console log", other.consoleLog, consoleLog) { $0 }
        return changes
    }
}
