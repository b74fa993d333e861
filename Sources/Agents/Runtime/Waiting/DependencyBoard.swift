import Foundation
import Logging
import Messages

/// Where an agent's requests wait for their dependencies' `Notify`s.
///
/// Every `Notify` that reaches the agent is recorded (the latest per object, in a bounded,
/// expiring ``NotifyCache``) and wakes the requests waiting on that object. A recorded report is
/// also written to the state directory, so a `Notify` that arrived before its `Request` still
/// counts after a restart (the `Notify` itself is acknowledged once recorded); reports on disk
/// hold redacted objects, since no dependency needs a VNC password.
///
/// Waiting uses a sequence number, so a report recorded between a request's look and its wait
/// is never missed: a request asks for reports ``snapshot(of:)`` and then waits for anything
/// newer than that snapshot.
actor DependencyBoard {
    struct Snapshot: Sendable {
        var reported: [ObjectID: Object]
        var sequence: UInt64
    }

    enum WaitOutcome: Sendable, Hashable {
        /// Something about the awaited objects was reported; look again.
        case reported
        case deadlinePassed
        /// The agent is stopping (or the task was cancelled): leave the request for redelivery.
        case stopped
    }

    private struct Waiter {
        var ids: Set<ObjectID>
        var continuation: CheckedContinuation<WaitOutcome, Never>
        var timer: Task<Void, Never>
    }

    private var cache: NotifyCache
    private let directory: URL?
    private let logger: Logger
    private var sequence: UInt64 = 0
    private var reportedAt: [ObjectID: UInt64] = [:]
    private var waiters: [UInt64: Waiter] = [:]
    private var nextWaiter: UInt64 = 0
    private var stopped = false

    /// - Parameter directory: where reports are kept across restarts; nil keeps them in memory.
    init(limit: Int, lifetime: Duration, directory: URL?, logger: Logger) {
        cache = NotifyCache(limit: limit, lifetime: lifetime)
        self.directory = directory
        self.logger = logger
        if let directory {
            cache = Self.load(from: directory, into: cache, logger: logger)
        }
    }

    /// How many requests are waiting now.
    var waitingCount: Int { waiters.count }

    /// Records `notify` as the latest report of its object and wakes the requests waiting on it.
    func record(_ notify: NotifyMessage, at now: Date = Date()) {
        guard let id = notify.object.id else { return }
        removeFiles(cache.expire(at: now))
        removeFiles(cache.insert(notify, at: now))
        persist(id)
        sequence += 1
        reportedAt[id] = sequence
        for (token, waiter) in waiters where waiter.ids.contains(id) {
            finish(token, .reported)
        }
    }

    /// The successful reports among `ids`, and the sequence to wait after.
    func snapshot(of ids: Set<ObjectID>, at now: Date = Date()) -> Snapshot {
        Snapshot(reported: cache.reportedObjects(ids, at: now), sequence: sequence)
    }

    /// The latest report of `id` when it was a failure.
    func failure(of id: ObjectID) -> NotifyMessage? {
        cache.failure(of: id)
    }

    /// Waits until one of `ids` gets a report newer than `sequence`, the deadline passes, or the
    /// board stops (or the calling task is cancelled).
    func waitForReport(on ids: Set<ObjectID>, after sequence: UInt64, until deadline: ContinuousClock.Instant) async -> WaitOutcome {
        if ids.contains(where: { (reportedAt[$0] ?? 0) > sequence }) { return .reported }
        if stopped || Task.isCancelled { return .stopped }
        if ContinuousClock.now >= deadline { return .deadlinePassed }
        let token = nextWaiter
        nextWaiter += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<WaitOutcome, Never>) in
                if Task.isCancelled {
                    continuation.resume(returning: .stopped)
                    return
                }
                let timer = Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    guard !Task.isCancelled else { return }
                    await self?.finish(token, .deadlinePassed)
                }
                waiters[token] = Waiter(ids: ids, continuation: continuation, timer: timer)
            }
        } onCancel: {
            Task { await self.finish(token, .stopped) }
        }
    }

    /// Ends every wait with ``WaitOutcome/stopped``, now and from now on.
    func stop() {
        stopped = true
        for token in waiters.keys { finish(token, .stopped) }
    }

    private func finish(_ token: UInt64, _ outcome: WaitOutcome) {
        guard let waiter = waiters.removeValue(forKey: token) else { return }
        waiter.timer.cancel()
        waiter.continuation.resume(returning: outcome)
    }

    // MARK: Persistence

    private func file(for id: ObjectID) -> URL? {
        directory?.appendingPathComponent("\(id).json")
    }

    private func persist(_ id: ObjectID) {
        guard let file = file(for: id), var entry = cache.entries[id] else { return }
        entry.notify.object = entry.notify.object.redacted()
        do {
            try AtomicFile.write(MessageCodec.encode(entry, format: .json), to: file)
        } catch {
            logger.warning("cannot keep a Notify in the state directory; it is kept in memory only", metadata: [
                "object_id": "\(id)", "error": "\(error)",
            ])
        }
    }

    private func removeFiles(_ ids: [ObjectID]) {
        for id in ids {
            if let file = file(for: id) { try? FileManager.default.removeItem(at: file) }
        }
    }

    private static func load(from directory: URL, into cache: NotifyCache, logger: Logger) -> NotifyCache {
        var cache = cache
        let manager = FileManager.default
        try? OwnerOnly.createDirectory(atPath: directory.path)
        let names = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let file = directory.appendingPathComponent(name)
            guard let id = ObjectID(String(name.dropLast(5))),
                  let data = manager.contents(atPath: file.path),
                  let entry = try? MessageCodec.decode(NotifyCache.Entry.self, from: data, format: .json)
            else {
                logger.warning("removing an unreadable kept Notify", metadata: ["file": "\(file.path)"])
                try? manager.removeItem(at: file)
                continue
            }
            for evicted in cache.insert(entry, for: id) {
                try? manager.removeItem(at: directory.appendingPathComponent("\(evicted).json"))
            }
        }
        for expired in cache.expire(at: Date()) {
            try? manager.removeItem(at: directory.appendingPathComponent("\(expired).json"))
        }
        return cache
    }
}
