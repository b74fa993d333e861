import Store

/// What `StoreTransaction.latestObjectEvents` answers, worked out from a spec's whole event log:
/// per object, its last event of `kinds` (by id) among those of the highest version, ordered by
/// object id. The reference the store's query and the conductor's in-memory repository are
/// checked against.
public enum EventLog {
    public static func latestPerObject(_ events: [Event], kinds: [EventKind]) -> [Event] {
        let relevant = events.filter { $0.objectID != nil && kinds.contains($0.kind) }
        return Dictionary(grouping: relevant, by: { $0.objectID! }).values
            .compactMap { $0.max { ($0.version, $0.id ?? 0) < ($1.version, $1.id ?? 0) } }
            .sorted { $0.objectID!.uuidString < $1.objectID!.uuidString }
    }
}
