import Foundation

/// Decodes optional fields one by one and keeps every failure, so a document with three
/// mistakes is answered with three problems instead of one round trip per mistake.
struct FieldCollector<Key: CodingKey> {
    let container: KeyedDecodingContainer<Key>
    var problems: [FieldProblem] = []

    init(_ container: KeyedDecodingContainer<Key>) {
        self.container = container
    }

    /// The value under `key`, `nil` when absent or null, or `nil` and a recorded problem when
    /// it does not decode.
    mutating func decode<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        do {
            return try container.decodeIfPresent(type, forKey: key)
        } catch {
            if let integer = T.self as? any FixedWidthInteger.Type, let text = wholeNumber(key) {
                let shown = text.count > 40 ? "\(text.prefix(20))… (\(text.count) digits)" : text
                add(key, "\(shown) is out of range: expected a whole number from \(Self.range(integer))")
            } else {
                problems += DocumentError(decoding: error).problems
            }
            return nil
        }
    }

    /// The value under `key` as written, when it is a whole number (one too large for its field).
    private func wholeNumber(_ key: Key) -> String? {
        let text = (try? container.decodeIfPresent(String.self, forKey: key))
            ?? (try? container.decodeIfPresent(Decimal.self, forKey: key)).map { "\($0)" }
        guard let text, let first = text.first, first == "-" || first.isASCII && first.isNumber,
              text.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), text.count > 1 || first != "-"
        else { return nil }
        return text
    }

    private static func range<Integer: FixedWidthInteger>(_: Integer.Type) -> String {
        "\(Integer.min) to \(Integer.max)"
    }

    mutating func add(_ key: Key, _ message: String) {
        problems.append(FieldProblem(codingPath: container.codingPath + [key], message: message))
    }

    /// Throws everything recorded so far, if anything.
    func finish() throws(DocumentError) {
        if !problems.isEmpty {
            throw DocumentError(problems: problems)
        }
    }
}
