/// The `spec` mapping of a submitted document: variable name → object, in document order.
///
/// A mapping that remembers its order, so the API's answer lists objects as the user wrote them.
/// YAML decoded through ``MessageCodec`` keeps the document's order; other decoders (JSON's keeps
/// no order) give entries sorted by name, so iteration is always deterministic. Equality ignores
/// order, as it would for the mapping this is.
public struct VariableMap: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// One top-level variable.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var object: Object

        public init(name: String, object: Object) {
            self.name = name
            self.object = object
        }
    }

    public private(set) var entries: [Entry]

    /// Entries in the given order; a repeated name keeps its first position and its last object.
    public init(_ entries: [Entry] = []) {
        self.entries = []
        for entry in entries {
            self[entry.name] = entry.object
        }
    }

    public init(dictionaryLiteral elements: (String, Object)...) {
        self.init(elements.map { Entry(name: $0.0, object: $0.1) })
    }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }

    public subscript(position: Int) -> Entry {
        entries[position]
    }

    /// The object of variable `name`; setting `nil` removes it, setting a new name appends it.
    public subscript(name: String) -> Object? {
        get { entries.first { $0.name == name }?.object }
        set {
            let index = entries.firstIndex { $0.name == name }
            switch (index, newValue) {
            case let (index?, object?): entries[index].object = object
            case let (index?, nil): entries.remove(at: index)
            case let (nil, object?): entries.append(Entry(name: name, object: object))
            case (nil, nil): break
            }
        }
    }

    /// Variable names in order.
    public var names: [String] {
        entries.map(\.name)
    }

    public static func == (lhs: VariableMap, rhs: VariableMap) -> Bool {
        lhs.entries.count == rhs.entries.count && lhs.entries.allSatisfy { rhs[$0.name] == $0.object }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            hasher.combine(entry)
        }
    }
}

extension VariableMap: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var keys = container.allKeys
        if decoder.userInfo[.preservesKeyOrder] as? Bool != true {
            keys.sort { $0.stringValue < $1.stringValue }
        }
        var problems: [FieldProblem] = []
        var entries: [Entry] = []
        for key in keys {
            // A variable's name becomes its object's name when the object has none.
            if let problem = ObjectName.problem(key.stringValue) {
                problems.append(FieldProblem(codingPath: decoder.codingPath + [key], message: "variable name: \(problem)"))
            }
            do {
                entries.append(Entry(name: key.stringValue, object: try container.decode(Object.self, forKey: key)))
            } catch {
                problems += DocumentError(decoding: error).problems
            }
        }
        if !problems.isEmpty {
            throw DocumentError(problems: problems)
        }
        self.init(entries)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for entry in entries {
            try container.encode(entry.object, forKey: AnyCodingKey(entry.name))
        }
    }
}

extension CodingUserInfoKey {
    /// Set by ``MessageCodec`` when the decoder reports mapping keys in document order (Yams).
    static let preservesKeyOrder = CodingUserInfoKey(rawValue: "n0core.preservesKeyOrder")!
}
