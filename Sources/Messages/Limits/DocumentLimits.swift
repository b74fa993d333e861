import Foundation

/// Bounds on the shape of a JSON or YAML text, checked on the raw text before any document is
/// built from it, so the work and memory a body can cost are bounded by these numbers and not by
/// what the body asks for (an alias bomb, `[[[[…` a hundred thousand deep, one huge string).
///
/// Anchors and aliases (`&name`, `*name`) are refused outright: the documents of this system
/// never need them, and expanding them is how a few kilobytes become gigabytes.
/// `docs/security.md` ("Hostile input") explains each bound; `docs/configuration.md` the keys.
public struct DocumentLimits: Sendable, Hashable {
    /// The whole text, in bytes.
    public var maxBytes: Int
    /// Mappings and lists inside one another.
    public var maxNesting: Int
    /// Values in the whole text: every scalar (keys included), mapping and list.
    public var maxNodes: Int
    /// Keys in one mapping. YAML mappings are searched key by key while a document is read, so
    /// this keeps reading one mapping from growing with the square of its size.
    public var maxMappingKeys: Int
    /// One scalar (a string, a number, a key), in bytes as written.
    public var maxScalarBytes: Int

    public init(
        maxBytes: Int = 1 << 20, maxNesting: Int = 64, maxNodes: Int = 50_000, maxMappingKeys: Int = 1_024,
        maxScalarBytes: Int = 64 << 10
    ) {
        self.maxBytes = maxBytes
        self.maxNesting = maxNesting
        self.maxNodes = maxNodes
        self.maxMappingKeys = maxMappingKeys
        self.maxScalarBytes = maxScalarBytes
    }

    /// What the API accepts by default: room for `api.max_objects` (512) objects with every field.
    public static let document = DocumentLimits()

    /// What every service accepts from the broker, before decoding a message. Fixed, not
    /// configured: every sender is this system. A message carries a resolved document (ids,
    /// names and states filled in, one object per entry), so bytes, values and keys get twice
    /// what the API may be configured to accept (``largestDocument``); nesting and scalars are
    /// the same, since resolving adds neither.
    public static let message = DocumentLimits(
        maxBytes: 8 << 20, maxNesting: 64, maxNodes: 200_000, maxMappingKeys: 4_096, maxScalarBytes: 64 << 10)

    /// The most the API's limits may be raised to, so that whatever it accepts fits in the
    /// messages that carry it on (half of ``message`` where resolving adds to a document).
    public static let largestDocument = DocumentLimits(
        maxBytes: message.maxBytes / 2, maxNesting: message.maxNesting, maxNodes: message.maxNodes / 2,
        maxMappingKeys: message.maxMappingKeys / 2, maxScalarBytes: message.maxScalarBytes)

    /// Each bound with its value, for checks and messages.
    public var bounds: [(limit: DocumentLimit, value: Int)] {
        [(.bytes, maxBytes), (.nesting, maxNesting), (.nodes, maxNodes), (.mappingKeys, maxMappingKeys),
         (.scalarBytes, maxScalarBytes)]
    }

    /// The value of one bound (0 for anchors, which are never allowed).
    public subscript(limit: DocumentLimit) -> Int {
        switch limit {
        case .bytes: maxBytes
        case .nesting: maxNesting
        case .nodes: maxNodes
        case .mappingKeys: maxMappingKeys
        case .scalarBytes: maxScalarBytes
        case .anchors: 0
        }
    }

    /// Checks `data` in `format` against these limits without building anything from it.
    ///
    /// A text that is not valid JSON or YAML passes as far as it could be read: the decoder
    /// that follows reports its syntax error (it never reads further than this check did).
    /// - Throws: ``DocumentError`` whose ``DocumentError/exceeded`` says which limit, and where.
    public func check(_ data: Data, format: WireFormat) throws(DocumentError) {
        if let exceeded = firstExceeded(in: data, format: format) {
            throw DocumentError(exceeded: exceeded)
        }
    }

    /// The first limit `data` exceeds, reading it from the start; nil when it is within all.
    public func firstExceeded(in data: Data, format: WireFormat) -> LimitExceeded? {
        if data.count > maxBytes {
            return LimitExceeded(limit: .bytes, maximum: maxBytes)
        }
        return data.withUnsafeBytes { bytes in
            switch format {
            case .json: JSONShapeScanner.scan(bytes, limits: self)
            case .yaml: YAMLShapeScanner.scan(bytes, limits: self)
            }
        }
    }
}

/// One of the bounds of ``DocumentLimits``.
public enum DocumentLimit: String, Sendable, Hashable, CaseIterable {
    case bytes
    case nesting
    case nodes
    case mappingKeys = "mapping_keys"
    case scalarBytes = "scalar_bytes"
    /// Anchors and aliases: never accepted, so there is no number to configure.
    case anchors
}
