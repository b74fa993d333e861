import Foundation

/// What happened to a spec or one of its objects. Open-ended (a service may record a kind of its
/// own), with the seed's kinds as constants.
public struct EventKind: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let scheduled: EventKind = "SCHEDULED"
    public static let applied: EventKind = "APPLIED"
    public static let failed: EventKind = "FAILED"
    public static let rescheduled: EventKind = "RESCHEDULED"
    /// No room yet: the scheduler keeps the object and tries again.
    public static let waiting: EventKind = "WAITING"
    /// An attempt was abandoned (the object moved to another agent, or a late result of an
    /// older attempt arrived); what it made is removed.
    public static let abandoned: EventKind = "ABANDONED"
    /// A version was replaced by a later one before it settled.
    public static let superseded: EventKind = "SUPERSEDED"
    /// An object stays on a draining host: its spec cannot be moved off it (the message says why).
    public static let pinned: EventKind = "PINNED"
}

/// One line of a spec's progress log. `id` and `createdAt` are assigned by the store: leave them
/// nil when appending; they are set on events read back.
public struct Event: Sendable, Equatable {
    public var id: Int64?
    public var specID: Int64
    public var version: Int
    /// The object the event is about; nil for an event about the whole spec version.
    public var objectID: UUID?
    public var kind: EventKind
    public var message: String
    public var createdAt: Date?

    public init(
        id: Int64? = nil, specID: Int64, version: Int, objectID: UUID? = nil, kind: EventKind,
        message: String = "", createdAt: Date? = nil
    ) {
        self.id = id
        self.specID = specID
        self.version = version
        self.objectID = objectID
        self.kind = kind
        self.message = message
        self.createdAt = createdAt
    }
}
