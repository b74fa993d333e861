import Foundation
import PostgresNIO

extension StoreTransaction {
    /// See ``events(specID:after:limit:)``; every event after `after`.
    public func events(specID: Int64, after: Int64? = nil) async throws -> [Event] {
        try await events(specID: specID, after: after, limit: nil)
    }

    /// Appends events to the log in one statement. Their `id` and `createdAt` are ignored (the store
    /// assigns them).
    public func appendEvents(_ events: [Event]) async throws {
        for chunk in BatchInsert.chunks(events) {
            var insert = BatchInsert(casts: ["", "", "", "", ""])
            for event in chunk {
                insert.addRow { binds in
                    binds.append(event.specID)
                    binds.append(event.version)
                    binds.append(event.objectID)
                    binds.append(event.kind.rawValue)
                    binds.append(event.message)
                }
            }
            try await run(insert.query("INSERT INTO events (spec_id, version, object_id, kind, message)"))
        }
    }

    /// A spec's events in the order they were recorded; with `after`, only those recorded after
    /// the event with that id (so a client can resume), and at most `limit` of them.
    public func events(specID: Int64, after: Int64?, limit: Int?) async throws -> [Event] {
        try await run("""
            SELECT id, spec_id, version, object_id, kind, message, created_at FROM events
            WHERE spec_id = \(specID) AND id > \(after ?? 0) ORDER BY id LIMIT \(limit.map(Int64.init))
            """).map { row in
            let (id, specID, version, objectID, kind, message, createdAt) =
                try row.decode((Int64, Int64, Int, UUID?, String, String, Date).self)
            return Event(
                id: id, specID: specID, version: version, objectID: objectID,
                kind: EventKind(rawValue: kind), message: message, createdAt: createdAt)
        }
    }
}

extension StoreTransaction {
    /// Per object of the spec, its last event of `kinds` for the highest version any of them
    /// names: where each object stands, without reading the whole log (which grows with every
    /// version of a long-lived spec). Ordered by object id.
    ///
    /// The same as replaying the object's events of those kinds in order while ignoring those
    /// older than the version already reached (``events(specID:after:limit:)`` read whole).
    public func latestObjectEvents(specID: Int64, kinds: [EventKind]) async throws -> [Event] {
        try await run(Self.latestObjectEventsQuery(specID: specID, kinds: kinds)).map { row in
            let (id, specID, version, objectID, kind, message, createdAt) =
                try row.decode((Int64, Int64, Int, UUID?, String, String, Date).self)
            return Event(
                id: id, specID: specID, version: version, objectID: objectID,
                kind: EventKind(rawValue: kind), message: message, createdAt: createdAt)
        }
    }

    static func latestObjectEventsQuery(specID: Int64, kinds: [EventKind]) -> PostgresQuery {
        """
        SELECT DISTINCT ON (object_id) id, spec_id, version, object_id, kind, message, created_at FROM events
        WHERE spec_id = \(specID) AND object_id IS NOT NULL AND kind = ANY(\(kinds.map(\.rawValue)))
        ORDER BY object_id, version DESC, id DESC
        """
    }
}

extension Store {
    /// See ``StoreTransaction/appendEvents(_:)``.
    public func appendEvents(_ events: [Event]) async throws {
        guard !events.isEmpty else { return }
        if events.count <= BatchInsert.rowsPerStatement {
            try await withConnection { tx in try await tx.appendEvents(events) }
        } else {
            try await withTransaction { tx in try await tx.appendEvents(events) }
        }
    }

    /// See ``StoreTransaction/events(specID:after:limit:)``.
    public func events(specID: Int64, after: Int64? = nil, limit: Int? = nil) async throws -> [Event] {
        try await withConnection { tx in try await tx.events(specID: specID, after: after, limit: limit) }
    }
}
