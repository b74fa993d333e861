import Foundation
import Store

/// Where one object of a spec stands, read from the spec's event log: the version it was last
/// scheduled for and what has happened since.
///
/// The event log is the one record every service appends to (the scheduler writes `SCHEDULED`,
/// the conductor `APPLIED`, `RESCHEDULED` and `FAILED`), so deriving the status from it needs no
/// second copy of the state that could drift from what `GET /api/spec/{id}` shows.
struct ObjectStatus: Sendable, Equatable {
    enum State: Sendable, Equatable {
        /// Placed on an agent; waiting for its result.
        case scheduled
        /// Its agent reported success.
        case applied
        /// Failed on an agent and sent back to the scheduler; waiting for a new placement.
        case rescheduling
        /// Given up on (or no placement possible).
        case failed
    }

    var objectID: UUID
    /// The spec version the object was last scheduled for.
    var version: Int
    var state: State
    /// When it entered `state` (the event's time).
    var since: Date
    /// The event's message: for `failed`, the reason.
    var message: String

    /// The state each kind of event moves an object to; other kinds are ignored.
    static let stateByKind: [EventKind: State] = [
        .scheduled: .scheduled, .applied: .applied, .rescheduled: .rescheduling, .failed: .failed,
    ]

    /// The kinds of event that move an object's status.
    static let statusKinds: [EventKind] = Array(stateByKind.keys)

    /// Every object's status from a spec's events, oldest first: the whole log, or only each
    /// object's last event of ``statusKinds`` for its highest version (the same statuses).
    ///
    /// A `SCHEDULED` event starts a new round for its version; `APPLIED`, `RESCHEDULED` and
    /// `FAILED` move it on when they are about that version or a later one (a late result for a
    /// version the object has left behind does not change where it stands now). An object the
    /// scheduler failed without ever placing it is `failed` for that version.
    static func statuses(from events: [Event]) -> [UUID: ObjectStatus] {
        var result: [UUID: ObjectStatus] = [:]
        for event in events {
            guard let objectID = event.objectID else { continue }
            let time = event.createdAt ?? .distantPast
            guard let state = stateByKind[event.kind] else { continue }
            if let current = result[objectID], event.version < current.version { continue }
            result[objectID] = ObjectStatus(objectID: objectID, version: event.version, state: state,
                                            since: time, message: event.message)
        }
        return result
    }
}
