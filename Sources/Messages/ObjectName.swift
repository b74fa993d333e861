/// What an object's name (and a variable name, which becomes one) may hold: text in any script —
/// letters, marks, digits, punctuation, symbols and spaces — at most ``maxBytes`` bytes of UTF-8,
/// and nothing invisible or controlling: no control characters (newlines, escape sequences that
/// would rewrite a terminal or forge a log line), no formatting characters (right-to-left
/// overrides, zero-width joiners that make two names look alike), no line or paragraph
/// separators, private-use, unassigned or surrogate code points.
///
/// Refused with an error rather than escaped: a name is shown to people (API answers, logs, the
/// graph), and what they see should be what is stored. Output escapes anyway (JSON and YAML
/// encoders quote what they must).
public enum ObjectName {
    public static let maxBytes = 255

    /// Why `name` is not acceptable, or nil.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a name must not be empty" }
        let length = name.utf8.count
        if length > maxBytes { return "a name is at most \(maxBytes) bytes (UTF-8); this one is \(length)" }
        guard let scalar = name.unicodeScalars.first(where: isRefused) else { return nil }
        return "contains \(describe(scalar)); names may hold letters, digits, punctuation, symbols and spaces of any "
            + "script, but no control or invisible formatting characters"
    }

    public static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: true
        default: false
        }
    }

    /// `U+001B (a control character)`.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let code = String(scalar.value, radix: 16, uppercase: true)
        let kind = switch scalar.properties.generalCategory {
        case .control: "a control character"
        case .format: "an invisible formatting character"
        case .lineSeparator, .paragraphSeparator: "a line or paragraph separator"
        case .privateUse: "a private-use character"
        default: "a code point that is not a character"
        }
        return "U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code) (\(kind))"
    }
}
