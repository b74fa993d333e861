/// Escaping for the domain XML this agent writes. Every value from a request (paths, bridge
/// names, the VNC password, the kernel command line) passes through here.
enum XMLEscaping {
    /// For text between tags.
    static func text(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }

    /// For attribute values, in single or double quotes.
    static func attribute(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "'": result += "&apos;"
            case "\"": result += "&quot;"
            case "\n": result += "&#10;"
            case "\r": result += "&#13;"
            case "\t": result += "&#9;"
            default: result.append(character)
            }
        }
        return result
    }

    /// Whether `value` can be written in XML 1.0 at all: control characters other than tab,
    /// newline and carriage return cannot, even escaped.
    static func isRepresentable(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { scalar in
            scalar.value >= 0x20 || scalar == "\t" || scalar == "\n" || scalar == "\r"
        } && !value.unicodeScalars.contains { $0.value == 0xFFFE || $0.value == 0xFFFF }
    }
}
