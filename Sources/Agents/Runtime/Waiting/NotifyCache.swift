import Foundation
import Messages

/// The latest `Notify` received for each object, kept so a `Request` that arrives after its
/// dependency's `Notify` can use it (design §3, step 5), and so several requests can share one
/// report (every NIC on a network).
///
/// Bounded: at most `limit` objects (the oldest report goes first) and each for `lifetime`.
/// Pure value; ``DependencyBoard`` owns one and persists it.
struct NotifyCache: Sendable {
    struct Entry: Sendable, Hashable, Codable {
        var notify: NotifyMessage
        var receivedAt: Date

        enum CodingKeys: String, CodingKey {
            case notify
            case receivedAt = "received_at"
        }
    }

    let limit: Int
    let lifetime: TimeInterval
    private(set) var entries: [ObjectID: Entry] = [:]

    init(limit: Int, lifetime: Duration) {
        self.limit = max(1, limit)
        self.lifetime = Double(lifetime.components.seconds) + Double(lifetime.components.attoseconds) / 1e18
    }

    /// Stores `notify` as the latest report of its object; returns the ids evicted to stay
    /// within ``limit``. A report without an object id is not kept.
    mutating func insert(_ notify: NotifyMessage, at now: Date) -> [ObjectID] {
        guard let id = notify.object.id else { return [] }
        return insert(Entry(notify: notify, receivedAt: now), for: id)
    }

    mutating func insert(_ entry: Entry, for id: ObjectID) -> [ObjectID] {
        entries[id] = entry
        guard entries.count > limit else { return [] }
        let evicted = entries.sorted { $0.value.receivedAt < $1.value.receivedAt }
            .prefix(entries.count - limit).map(\.key)
        for id in evicted { entries[id] = nil }
        return evicted
    }

    /// Drops reports older than ``lifetime``; returns their ids.
    mutating func expire(at now: Date) -> [ObjectID] {
        let expired = entries.filter { now.timeIntervalSince($0.value.receivedAt) > lifetime }.map(\.key)
        for id in expired { entries[id] = nil }
        return expired
    }

    /// The objects of the successful reports among `ids`.
    func reportedObjects(_ ids: Set<ObjectID>, at now: Date) -> [ObjectID: Object] {
        var result: [ObjectID: Object] = [:]
        for id in ids {
            guard let entry = entries[id], entry.notify.level == .success,
                  now.timeIntervalSince(entry.receivedAt) <= lifetime else { continue }
            result[id] = entry.notify.object
        }
        return result
    }

    /// The latest report of `id` if it was a failure, for the message of a request that gave up
    /// waiting for it.
    func failure(of id: ObjectID) -> NotifyMessage? {
        guard let entry = entries[id], entry.notify.level == .error else { return nil }
        return entry.notify
    }
}
