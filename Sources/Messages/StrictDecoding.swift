/// A coding key for any string, used to see every key a mapping actually holds.
struct AnyCodingKey: CodingKey, Hashable {
    let stringValue: String
    let intValue: Int?

    init(_ stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init?(stringValue: String) {
        self.init(stringValue)
    }

    init?(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}

extension CodingUserInfoKey {
    /// Set (to `true`) when decoding a message between services: keys this build does not know
    /// are ignored instead of rejected, so a sender one release ahead (a rolling upgrade) is
    /// still understood. User documents are decoded without it, strictly.
    public static let ignoresUnknownKeys = CodingUserInfoKey(rawValue: "n0core.ignoresUnknownKeys")!
}

extension Decoder {
    /// Whether unknown keys are ignored here (``CodingUserInfoKey/ignoresUnknownKeys``).
    var ignoresUnknownKeys: Bool {
        userInfo[.ignoresUnknownKeys] as? Bool == true
    }

    /// The keys of the mapping being decoded, in document order where the decoder keeps it.
    func presentKeys() throws -> [AnyCodingKey] {
        try container(keyedBy: AnyCodingKey.self).allKeys
    }

    /// Rejects any key that `Keys` does not list (unless unknown keys are ignored here).
    ///
    /// Synthesized `Decodable` ignores unknown keys, so a user's typo (`vcpu: 4`) would silently
    /// fall back to a default; strict decoding turns it into an error that names the key.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
        guard !ignoresUnknownKeys else { return }
        let allowed = keys.allCases.map(\.stringValue)
        let unknown = try presentKeys().filter { !allowed.contains($0.stringValue) }
        guard !unknown.isEmpty else { return }
        throw DocumentError(problems: unknown.map { key in
            FieldProblem(
                codingPath: codingPath + [key],
                message: "unknown key '\(key.stringValue)'; expected \(englishList(allowed))"
            )
        })
    }
}

/// `a`, `a or b`, `a, b or c`: for messages that list what was expected.
func englishList(_ words: [String]) -> String {
    guard let last = words.last else { return "nothing" }
    let head = words.dropLast()
    return head.isEmpty ? last : head.joined(separator: ", ") + " or " + last
}
