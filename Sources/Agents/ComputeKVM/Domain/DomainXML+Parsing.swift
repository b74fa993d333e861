import AgentRuntime
import Foundation
import Messages
#if canImport(FoundationXML)
import FoundationXML
#endif

extension DomainXML {
    /// The parts of a domain this agent sets, read from libvirt's XML (a persistent
    /// definition, or what a running guest was started with), so they can be compared with
    /// what a request asks for. Devices the agent does not make (a CD-ROM, a NIC on a libvirt
    /// network) are left out; disks come in boot order as written, NICs in document order.
    ///
    /// - Throws: ``AgentRuntime/AgentFailure`` when the text is not a domain document.
    public static func parse(_ xml: String) throws -> DomainDefinition {
        let document: XMLDocument
        do {
            document = try XMLDocument(xmlString: xml, options: [])
        } catch {
            throw AgentFailure("libvirt returned domain XML that cannot be read: \(error.localizedDescription)")
        }
        guard let root = document.rootElement(), root.name == "domain" else {
            throw AgentFailure("libvirt returned XML whose root is not <domain>")
        }
        func element(_ path: String) -> XMLElement? {
            (try? root.nodes(forXPath: path))?.first as? XMLElement
        }
        func elements(_ path: String) -> [XMLElement] {
            ((try? root.nodes(forXPath: path)) ?? []).compactMap { $0 as? XMLElement }
        }
        func text(_ path: String) -> String? {
            element(path)?.stringValue
        }
        func attribute(_ element: XMLElement?, _ name: String) -> String? {
            element?.attribute(forName: name)?.stringValue
        }

        guard let uuidText = text("uuid"), let uuid = ObjectID(uuidText.trimmingCharacters(in: .whitespaces)) else {
            throw AgentFailure("libvirt's domain XML has no valid <uuid>")
        }
        let virtType = VirtType(rawValue: attribute(root, "type") ?? "") ?? .qemu
        let memory = element("memory")
        let memoryKiB = try kibibytes(memory?.stringValue ?? "0", unit: attribute(memory, "unit") ?? "KiB")
        let vcpus = Int((text("vcpu") ?? "").trimmingCharacters(in: .whitespaces)) ?? 0

        var directBoot: DomainDefinition.DirectBoot?
        if let kernel = text("os/kernel"), !kernel.isEmpty {
            directBoot = .init(kernel: kernel, initrd: text("os/initrd"), cmdline: text("os/cmdline"))
        }
        let disks = elements("devices/disk[@device='disk']").compactMap { disk -> DomainDefinition.Disk? in
            guard let path = attribute(disk.elements(forName: "source").first, "file") else { return nil }
            return .init(path: path, target: attribute(disk.elements(forName: "target").first, "dev") ?? "",
                         bootOrder: attribute(disk.elements(forName: "boot").first, "order").flatMap { Int($0) },
                         format: attribute(disk.elements(forName: "driver").first, "type") ?? "raw",
                         readOnly: !disk.elements(forName: "readonly").isEmpty)
        }
        let interfaces = elements("devices/interface[@type='bridge']").compactMap { interface -> DomainDefinition.Interface? in
            guard let bridge = attribute(interface.elements(forName: "source").first, "bridge"),
                  let mac = attribute(interface.elements(forName: "mac").first, "address") else { return nil }
            return .init(bridge: bridge, mac: HardwareAddress(mac)?.description ?? mac)
        }
        var vnc: DomainDefinition.VNC?
        if let graphics = element("devices/graphics[@type='vnc']") {
            let listen = attribute(graphics, "listen")
                ?? attribute(graphics.elements(forName: "listen").first, "address") ?? ""
            vnc = .init(listen: listen, password: attribute(graphics, "passwd"))
        }
        return DomainDefinition(
            uuid: uuid, name: text("name") ?? "", virtType: virtType, arch: attribute(element("os/type"), "arch"),
            vcpus: vcpus, memoryKiB: memoryKiB, disks: disks, interfaces: interfaces, vnc: vnc,
            consoleLog: attribute(element("devices/serial[@type='file']/source"), "path") ?? "",
            directBoot: directBoot)
    }

    /// libvirt's memory units (`KiB` is its default; `k` and `KiB` are both 1024).
    static func kibibytes(_ value: String, unit: String) throws -> UInt64 {
        guard let number = UInt64(value.trimmingCharacters(in: .whitespaces)) else {
            throw AgentFailure("libvirt's domain XML has memory '\(value)', not a number")
        }
        let bytesPerUnit: UInt64
        switch unit.lowercased() {
        case "b", "bytes": bytesPerUnit = 1
        case "k", "kib": bytesPerUnit = 1 << 10
        case "kb": bytesPerUnit = 1000
        case "m", "mib": bytesPerUnit = 1 << 20
        case "mb": bytesPerUnit = 1_000_000
        case "g", "gib": bytesPerUnit = 1 << 30
        case "gb": bytesPerUnit = 1_000_000_000
        case "t", "tib": bytesPerUnit = 1 << 40
        case "tb": bytesPerUnit = 1_000_000_000_000
        default: throw AgentFailure("libvirt's domain XML has a memory unit '\(unit)' this agent does not know")
        }
        return number * bytesPerUnit / 1024
    }
}
