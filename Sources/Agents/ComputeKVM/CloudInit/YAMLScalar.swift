/// Writing one value of a seed file as a YAML scalar.
///
/// Every value is checked before it gets here (host names, key lines, addresses), so nothing
/// needs escaping in practice; quoting anyway means a value that slipped past a check still
/// cannot end its line or start a new key. The guest image's reader (`yaml.awk`) reads
/// double-quoted values without escapes, which is all the checked values produce.
enum YAMLScalar {
    /// `text` in double quotes, with `"`, `\` and every control character escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value)
                    || scalar == "\u{2028}" || scalar == "\u{2029}" || scalar == "\u{feff}" {
                    result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
