import Foundation

/// Where one object stands in its round (`placements`, migration 5).
public struct PlacementRecord: Sendable, Equatable {
    public var objectID: UUID
    public var specID: Int64
    /// The spec version the object is driven to; a message about an older one is stale.
    public var version: Int
    /// The number of its latest `Request` (0 before the first): the fence against abandoned
    /// attempts.
    public var attempt: Int
    public var phase: PlacementPhase
    /// When it entered ``phase`` (or last showed progress in it), on the database's clock.
    public var phaseSince: Date

    public init(objectID: UUID, specID: Int64, version: Int, attempt: Int = 0, phase: PlacementPhase, phaseSince: Date = Date()) {
        self.objectID = objectID
        self.specID = specID
        self.version = version
        self.attempt = attempt
        self.phase = phase
        self.phaseSince = phaseSince
    }
}

/// A phase of an object's round.
public struct PlacementPhase: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    /// Stored by the API; waiting for a scheduler.
    public static let accepted: PlacementPhase = "accepted"
    /// No room yet: the scheduler keeps its `Spec` and tries again (``DeferredSpec``).
    public static let waiting: PlacementPhase = "waiting"
    /// A `Request` was sent to its agent; waiting for the result.
    public static let scheduled: PlacementPhase = "scheduled"
    /// Failed on an agent and sent back to the scheduler.
    public static let rescheduling: PlacementPhase = "rescheduling"
    public static let applied: PlacementPhase = "applied"
    public static let failed: PlacementPhase = "failed"

    /// The phases the conductor's sweep gives a deadline (``waiting`` has the scheduler's).
    public static let inFlight: [PlacementPhase] = [.accepted, .scheduled, .rescheduling]
}

/// A `Spec` message the scheduler could not place yet, kept to be tried again.
public struct DeferredSpec: Sendable, Equatable {
    public var messageID: UUID
    public var specID: Int64
    public var version: Int
    /// The `Spec` message's JSON body.
    public var message: Data
    public var traceparent: String?
    /// Why it waits, in words a person can act on.
    public var reason: String
    public var deferredAt: Date
    public var attempts: Int

    public init(messageID: UUID, specID: Int64, version: Int, message: Data, traceparent: String?, reason: String,
                deferredAt: Date = Date(), attempts: Int = 0) {
        self.messageID = messageID
        self.specID = specID
        self.version = version
        self.message = message
        self.traceparent = traceparent
        self.reason = reason
        self.deferredAt = deferredAt
        self.attempts = attempts
    }
}
