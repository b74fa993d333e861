/// Where a spec's latest version stands. Kept open (a struct, not an enum) so a state a newer
/// API adds is shown rather than refused.
public struct SpecState: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let pending = SpecState(rawValue: "pending")
    public static let applied = SpecState(rawValue: "applied")
    public static let failed = SpecState(rawValue: "failed")
    public static let superseded = SpecState(rawValue: "superseded")

    /// Every state but `pending` is final for its version.
    public var isSettled: Bool { self != .pending }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
