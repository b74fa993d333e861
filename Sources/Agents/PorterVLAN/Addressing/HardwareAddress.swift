/// A NIC's MAC address, written the way dnsmasq and `ip` print it (`52:54:00:12:34:56`), so a
/// reservation read back from a hosts file compares equal to the one in a request.
struct HardwareAddress: Sendable, Hashable, CustomStringConvertible {
    let octets: [UInt8]

    /// Reads six hexadecimal octets separated by `:` or `-`, or twelve hex digits in a row
    /// (`525400123456`), in either case.
    init?(_ text: String) {
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
    var isUnicast: Bool {
        octets[0] & 1 == 0 && octets.contains { $0 != 0 }
    }

    var description: String {
        octets.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
