import Foundation
import Logging
import PostgresNIO

/// Reads the database's side of ``SpecTimeline``s: the `SCHEDULED` and `APPLIED` events and
/// when the scheduler's relay took each spec's `Request`s from the outbox.
enum TimelineQuery {
    static func timelines(accepted: [Int64: Date], client: PostgresClient, logger: Logger) async throws -> [SpecTimeline] {
        var timelines: [Int64: SpecTimeline] = [:]
        for (id, date) in accepted { timelines[id] = SpecTimeline(specID: id, acceptedAt: date) }
        let ids = accepted.keys.sorted()
        for start in stride(from: 0, to: ids.count, by: 5_000) {
            let chunk = Array(ids[start..<min(start + 5_000, ids.count)])
            let events = try await client.query("""
                SELECT spec_id, kind, object_id IS NULL, min(created_at), max(created_at) FROM events
                WHERE spec_id = ANY(\(chunk)) AND kind IN ('SCHEDULED', 'APPLIED')
                GROUP BY 1, 2, 3
                """, logger: logger)
            for try await (specID, kind, whole, first, _) in events.decode((Int64, String, Bool, Date, Date).self) {
                switch (kind, whole) {
                case ("SCHEDULED", false): timelines[specID]?.scheduledAt = first
                case ("APPLIED", false): timelines[specID]?.firstObjectAppliedAt = first
                case ("APPLIED", true): timelines[specID]?.appliedAt = first
                default: break
                }
            }
            let texts = chunk.map(String.init)
            let outbox = try await client.query("""
                SELECT correlation_id, max(sent_at) FROM outbox
                WHERE message_type = 'Request' AND correlation_id = ANY(\(texts)) AND sent_at IS NOT NULL
                GROUP BY 1
                """, logger: logger)
            for try await (correlation, sent) in outbox.decode((String, Date).self) {
                if let id = Int64(correlation) { timelines[id]?.requestsRelayedAt = sent }
            }
        }
        return ids.compactMap { timelines[$0] }
    }
}
