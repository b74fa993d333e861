/// MAC addresses of guest NICs.
public enum MACAddress {
    /// The prefix QEMU/KVM guests use (a locally administered range registered to QEMU).
    public static let guestPrefix = "52:54:00"

    /// A random address under ``guestPrefix``; the caller makes it unique against the graph.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let tail = (0..<3).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return ([guestPrefix] + tail.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }).joined(separator: ":")
    }

    /// Six lowercase or uppercase hex pairs separated by `:`, unicast (the first octet even).
    public static func isValidGuestAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && UInt8($0, radix: 16) != nil }),
              let first = UInt8(parts[0], radix: 16)
        else { return false }
        return first & 1 == 0
    }
}
