/// The libvirt domain XML of a ``DomainDefinition``. Pure: the same definition always gives
/// the same document, every value escaped.
///
/// The document carries the VNC password; log only ``render(_:)`` of
/// ``DomainDefinition/maskingPassword()``.
public enum DomainXML {
    public static func render(_ domain: DomainDefinition) -> String {
        let a = XMLEscaping.attribute
        let t = XMLEscaping.text
        var lines: [String] = []
        lines.append("<domain type='\(domain.virtType.rawValue)'>")
        lines.append("  <name>\(t(domain.name))</name>")
        lines.append("  <uuid>\(domain.uuid)</uuid>")
        lines.append("  <memory unit='KiB'>\(domain.memoryKiB)</memory>")
        lines.append("  <currentMemory unit='KiB'>\(domain.memoryKiB)</currentMemory>")
        lines.append("  <vcpu placement='static'>\(domain.vcpus)</vcpu>")
        lines.append("  <os>")
        lines.append("    <type\(domain.arch.map { " arch='\(a($0))'" } ?? "")>hvm</type>")
        if let boot = domain.directBoot {
            lines.append("    <kernel>\(t(boot.kernel))</kernel>")
            if let initrd = boot.initrd { lines.append("    <initrd>\(t(initrd))</initrd>") }
            if let cmdline = boot.cmdline { lines.append("    <cmdline>\(t(cmdline))</cmdline>") }
        }
        lines.append("  </os>")
        // ACPI lets the guest power itself off and receive the graceful shutdown.
        lines.append("  <features>")
        lines.append("    <acpi/>")
        lines.append("    <apic/>")
        lines.append("  </features>")
        lines.append("  <clock offset='utc'/>")
        // A guest that powers off stops its domain (qemu runs with -no-shutdown otherwise).
        lines.append("  <on_poweroff>destroy</on_poweroff>")
        lines.append("  <on_reboot>restart</on_reboot>")
        lines.append("  <on_crash>destroy</on_crash>")
        lines.append("  <devices>")
        for disk in domain.disks {
            lines.append("    <disk type='file' device='disk'>")
            lines.append("      <driver name='qemu' type='\(a(disk.format))'/>")
            lines.append("      <source file='\(a(disk.path))'/>")
            lines.append("      <target dev='\(a(disk.target))' bus='virtio'/>")
            if disk.readOnly { lines.append("      <readonly/>") }
            if let order = disk.bootOrder { lines.append("      <boot order='\(order)'/>") }
            lines.append("    </disk>")
        }
        for interface in domain.interfaces {
            lines.append("    <interface type='bridge'>")
            lines.append("      <source bridge='\(a(interface.bridge))'/>")
            lines.append("      <mac address='\(a(interface.mac))'/>")
            lines.append("      <model type='virtio'/>")
            lines.append("    </interface>")
        }
        lines.append("    <serial type='file'>")
        lines.append("      <source path='\(a(domain.consoleLog))'/>")
        lines.append("      <target port='0'/>")
        lines.append("    </serial>")
        lines.append("    <console type='file'>")
        lines.append("      <source path='\(a(domain.consoleLog))'/>")
        lines.append("      <target type='serial' port='0'/>")
        lines.append("    </console>")
        if let vnc = domain.vnc {
            let password = vnc.password.map { " passwd='\(a($0))'" } ?? ""
            lines.append("    <graphics type='vnc' autoport='yes' listen='\(a(vnc.listen))'\(password)>")
            lines.append("      <listen type='address' address='\(a(vnc.listen))'/>")
            lines.append("    </graphics>")
        }
        lines.append("  </devices>")
        lines.append("</domain>")
        return lines.joined(separator: "\n") + "\n"
    }
}
