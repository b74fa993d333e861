import Foundation

/// Where a spec version stands: written and waiting for its objects (`pending`), every object
/// applied (`applied`), given up on with a reason (`failed`), or replaced by a later version
/// before it settled (`superseded`). Every version ends in one of the last three.
public enum SpecState: String, Sendable, Equatable, CaseIterable {
    case pending, applied, failed, superseded

    /// Its objects may still be placed and retried: pending, or superseded (the objects the
    /// later version did not change are still this version's to bring up).
    public var isOpen: Bool { self == .pending || self == .superseded }
}

/// The documents of a version to be written. Each is JSON text; the store keeps it as `jsonb`
/// (parsed, so key order and spacing are not preserved — compare documents as data, not text).
public struct NewSpecVersion: Sendable, Equatable {
    /// The spec's annotations (a JSON object).
    public var annotations: String
    /// The document as the user sent it, converted to JSON.
    public var submitted: String
    /// The document after the API assigned ids and filled defaults.
    public var resolved: String

    public init(annotations: String = "{}", submitted: String, resolved: String) {
        self.annotations = annotations
        self.submitted = submitted
        self.resolved = resolved
    }
}

/// A stored spec version.
public struct SpecVersionRecord: Sendable, Equatable {
    public var specID: Int64
    public var version: Int
    public var annotations: String
    public var submitted: String
    public var resolved: String
    public var state: SpecState
    /// Why the version failed; nil otherwise.
    public var reason: String?
    public var createdAt: Date

    public init(
        specID: Int64, version: Int, annotations: String, submitted: String, resolved: String,
        state: SpecState, reason: String?, createdAt: Date
    ) {
        self.specID = specID
        self.version = version
        self.annotations = annotations
        self.submitted = submitted
        self.resolved = resolved
        self.state = state
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// A spec's head: when it was created, its latest version and that version's state.
public struct SpecRecord: Sendable, Equatable {
    public var id: Int64
    public var createdAt: Date
    public var latestVersion: Int
    public var state: SpecState

    public init(id: Int64, createdAt: Date, latestVersion: Int, state: SpecState) {
        self.id = id
        self.createdAt = createdAt
        self.latestVersion = latestVersion
        self.state = state
    }
}
