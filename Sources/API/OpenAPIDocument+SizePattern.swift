import Messages

/// The `Size` schemas' patterns, made from the size grammar (`Size.Unit`, at most `UInt64.max`
/// bytes, or a field's own bound) so that a string matches exactly when `Size(parsing:)` reads
/// it, within that bound: a schema that allowed `99999999tb` would promise what the API refuses
/// as too large.
extension OpenAPIDocument {
    static let sizePattern = sizePattern(atMost: Size(bytes: .max))

    /// The pattern of sizes up to `largest`, e.g. an agent's capacity (`Capacity.memoryBounds`).
    static func sizePattern(atMost largest: Size) -> String {
        // What `trimmingWhitespace()` removes: Unicode White_Space.
        let space = #"[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*"#
        let amounts = Size.Unit.allCases.map { unit in
            wholeNumber(upTo: largest.bytes / unit.bytes) + " *" + unit.rawValue.map { "[\($0)\($0.uppercased())]" }.joined()
        }
        return "^" + space + "(" + amounts.joined(separator: "|") + ")" + space + "$"
    }

    /// The whole numbers 0...`max` in decimal, leading zeros allowed.
    static func wholeNumber(upTo max: UInt64) -> String {
        let digits = String(max).map { Int(String($0))! }
        if digits.count == 1 { return "0*[0-\(digits[0])]" }
        var alternatives = ["[0-9]{1,\(digits.count - 1)}"]
        for (index, digit) in digits.enumerated() {
            let rest = digits.count - index - 1
            let tail = rest == 0 ? "" : "[0-9]{\(rest)}"
            let lowest = index == 0 ? 1 : 0
            if digit > lowest {
                let head = digits[..<index].map(String.init).joined()
                alternatives.append(head + (digit - 1 == lowest ? "\(lowest)" : "[\(lowest)-\(digit - 1)]") + tail)
            }
        }
        alternatives.append(digits.map(String.init).joined())
        return "0*(" + alternatives.joined(separator: "|") + ")"
    }
}
