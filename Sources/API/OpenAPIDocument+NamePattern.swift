import Messages

/// The pattern of object and variable names, made from `ObjectName`'s own rule so that a name
/// matches exactly when the decoder takes it: every Unicode scalar but control and formatting
/// characters, separators, private-use, surrogate and unassigned code points (as this build's
/// Unicode tables have them).
///
/// Written as a class of the allowed ranges (schemathesis draws from it several times faster than
/// from the class of the refused ones), `\uXXXX` below U+10000 and `\UXXXXXXXX` above (the
/// spelling Python's, Rust's and ICU's engines share; ECMA-262 has none for those). About 700
/// ranges: long, but a shorter class would either refuse names the API takes or allow ones it
/// refuses.
extension OpenAPIDocument {
    static let namePattern: String = {
        var ranges: [ClosedRange<UInt32>] = []
        var start: UInt32?
        for value in UInt32(0)...0x10FFFF {
            // `Unicode.Scalar` has no surrogates (D800–DFFF); the rule refuses them too.
            let allowed = Unicode.Scalar(value).map { !ObjectName.isRefused($0) } ?? false
            if allowed, start == nil { start = value }
            if !allowed, let first = start {
                ranges.append(first...value - 1)
                start = nil
            }
        }
        if let first = start { ranges.append(first...0x10FFFF) }
        let allowed = ranges.map { $0.lowerBound == $0.upperBound ? escape($0.lowerBound) : escape($0.lowerBound) + "-" + escape($0.upperBound) }
        return "^[" + allowed.joined() + "]+$"
    }()

    private static func escape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return value <= 0xFFFF
            ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            : "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
