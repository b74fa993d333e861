import Foundation

/// The identity of an object or agent: a UUID that is written lowercase on the wire.
///
/// Foundation's `uuidString` is uppercase while the seed documents (and PostgreSQL's `uuid`
/// output) use lowercase, so a plain `UUID` would change every id it round-trips. Wrapping it
/// fixes the spelling in one place; parsing still accepts either case.
public struct ObjectID: Sendable, Hashable, Comparable, Codable, LosslessStringConvertible {
    /// The underlying value.
    public let uuid: UUID

    /// A new random (version 4) id.
    public init() {
        self.uuid = UUID()
    }

    /// Wraps an existing UUID.
    public init(_ uuid: UUID) {
        self.uuid = uuid
    }

    /// Parses the canonical 8-4-4-4-12 hexadecimal form, in either case; `nil` otherwise.
    public init?(_ description: String) {
        guard let uuid = UUID(uuidString: description) else { return nil }
        self.uuid = uuid
    }

    /// The lowercase canonical form, as written on the wire.
    public var description: String {
        uuid.uuidString.lowercased()
    }

    /// The order of the canonical strings, compared on the 16 bytes: lowercase hex and the
    /// fixed dashes sort as the bytes do, and formatting two strings per comparison made sorting
    /// 10,000 hosts the scheduler's main cost (docs/performance.md).
    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        withUnsafeBytes(of: lhs.uuid.uuid) { left in
            withUnsafeBytes(of: rhs.uuid.uuid) { right in left.lexicographicallyPrecedes(right) }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = ObjectID(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "invalid id '\(text)': expected a UUID such as 56410722-d507-472a-a800-c89211b7c261"
            )
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
