/// A NIC's MAC address (`hw_addr`), written the way dnsmasq, `ip` and libvirt print it
/// (`52:54:00:12:34:56`), so an address read back from the host compares equal to the one in a
/// request. One type for every service: the API validates with it, the scheduler makes new ones,
/// the porter reserves and the compute agent attaches them.
public struct HardwareAddress: Sendable, Hashable, CustomStringConvertible {
    public let octets: [UInt8]

    /// The prefix QEMU/KVM guests use (locally administered, registered to QEMU), as design §4
    /// asks for the addresses the scheduler assigns.
    public static let guestPrefix: [UInt8] = [0x52, 0x54, 0x00]

    /// A random address under ``guestPrefix``; the caller makes it unique against the graph.
    public static func randomGuest<G: RandomNumberGenerator>(using generator: inout G) -> HardwareAddress {
        HardwareAddress(octets: guestPrefix + (0..<3).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Six octets; anything else is a programming error.
    public init(octets: [UInt8]) {
        precondition(octets.count == 6, "a MAC address has six octets")
        self.octets = octets
    }

    /// Reads six hexadecimal octets separated by `:` or `-`, or twelve hex digits in a row
    /// (`525400123456`), in either case.
    public init?(_ text: String) {
        let digits: [Substring]
        if text.contains(":") || text.contains("-") {
            digits = text.split(separator: text.contains(":") ? ":" : "-", omittingEmptySubsequences: false)
        } else if text.count == 12 {
            let characters = Array(text)
            digits = stride(from: 0, to: 12, by: 2).map { Substring(String(characters[$0..<$0 + 2])) }
        } else {
            return nil
        }
        guard digits.count == 6 else { return nil }
        var octets: [UInt8] = []
        for digit in digits {
            guard digit.count == 2, digit.allSatisfy(\.isHexDigit), let octet = UInt8(digit, radix: 16) else { return nil }
            octets.append(octet)
        }
        self.octets = octets
    }

    /// A guest can have it: not all zeros and not a group (multicast or broadcast) address;
    /// the seed's placeholder `ffffffffffff` is the broadcast address.
    public var isUnicast: Bool {
        octets[0] & 1 == 0 && octets.contains { $0 != 0 }
    }

    public var description: String {
        octets.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
