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

extension Decoder {
    /// The keys of the mapping being decoded, in document order where the decoder keeps it.
    func presentKeys() throws -> [AnyCodingKey] {
        try container(keyedBy: AnyCodingKey.self).allKeys
    }

    /// Rejects any key that `Keys` does not list.
    ///
    /// Synthesized `Decodable` ignores unknown keys, so a user's typo (`vcpu: 4`) would silently
    /// fall back to a default; strict decoding turns it into an error that names the key.
    func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) throws {
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
