import Synchronization

/// A change of a spec version's state that a transaction made. A ``Store`` hands them to its
/// observer (``Store/onVersionChanges``) once the transaction has committed, never for one
/// rolled back or retried, so what is counted from them (the services' spec metrics) counts
/// each change once, whichever service made it.
public enum SpecVersionChange: Sendable, Equatable {
    /// A version was stored (`POST`, `PUT` or `DELETE` of a spec).
    case accepted
    /// A version ended `applied`, `failed` or `superseded`, `after` it was accepted; both
    /// instants by the database's clock, so no service's clock skews it.
    case settled(SpecState, after: Duration)
}

/// The changes one transaction made so far, kept until it commits.
final class SpecVersionChangeLog: Sendable {
    private let changes = Mutex<[SpecVersionChange]>([])

    func append(_ change: SpecVersionChange) {
        changes.withLock { $0.append(change) }
    }

    /// Hands what was logged to `observer` (after the commit), once.
    func report(to observer: (@Sendable ([SpecVersionChange]) -> Void)?) {
        guard let observer else { return }
        let logged = changes.withLock { changes in
            defer { changes.removeAll() }
            return changes
        }
        if !logged.isEmpty { observer(logged) }
    }
}
