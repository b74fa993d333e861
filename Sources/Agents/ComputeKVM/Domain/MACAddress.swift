/// A guest NIC's MAC address as libvirt wants it.
enum MACAddress {
    /// `52:54:00:12:34:56`, `52-54-00-12-34-56` or `525400123456`, in either case, as lowercase
    /// colon-separated pairs; nil when it is not six bytes.
    static func normalized(_ text: String) -> String? {
        let hex = text.filter { $0 != ":" && $0 != "-" }.lowercased()
        guard hex.count == 12, hex.allSatisfy(\.isHexDigit) else { return nil }
        let characters = Array(hex)
        return stride(from: 0, to: 12, by: 2).map { String(characters[$0...$0 + 1]) }.joined(separator: ":")
    }

    /// Whether a normalized address is unicast (the first byte even): a NIC cannot use a
    /// multicast or broadcast address, and QEMU refuses one.
    static func isUnicast(_ normalized: String) -> Bool {
        guard let first = UInt8(normalized.prefix(2), radix: 16) else { return false }
        return first & 1 == 0
    }
}
