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
            problems += DocumentError(decoding: error).problems
            return nil
        }
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
