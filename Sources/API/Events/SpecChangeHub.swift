import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// One LISTEN on ``Store/specChangesChannel`` for the whole API process, fanned out to the event
/// streams that follow each spec, so a thousand followers cost one connection and no polling.
///
/// A stream subscribes *before* it first reads, so nothing recorded in between is missed; when
/// the listening connection is (re)established every stream is woken to catch up on what was
/// recorded while it was down.
public final class SpecChangeHub: Service, Sendable {
    let store: Store
    let logger: Logger
    let maxStreams: Int
    private let streams = Mutex<[Int64: [UUID: Subscription]]>([:])

    /// What one stream waits on: `changed` says whether its spec changed since it last looked.
    final class Subscription: Sendable {
        let specID: Int64
        let id = UUID()
        let signals: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation
        private let changed = Mutex(false)

        init(specID: Int64) {
            self.specID = specID
            (signals, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        }

        func notify() {
            changed.withLock { $0 = true }
            continuation.yield()
        }

        /// Wakes the stream without a change (a keep-alive is due).
        func tick() { continuation.yield() }

        /// Whether the spec changed since the last call.
        func takeChanged() -> Bool { changed.withLock { value in defer { value = false }; return value } }

        func finish() { continuation.finish() }
    }

    public init(store: Store, maxStreams: Int, logger: Logger) {
        self.store = store
        self.maxStreams = maxStreams
        self.logger = logger
    }

    /// A subscription to `specID`'s changes; nil when `maxStreams` are open already.
    func subscribe(_ specID: Int64) -> Subscription? {
        let subscription = Subscription(specID: specID)
        let added = streams.withLock { streams -> Bool in
            guard streams.values.reduce(0, { $0 + $1.count }) < maxStreams else { return false }
            streams[specID, default: [:]][subscription.id] = subscription
            return true
        }
        return added ? subscription : nil
    }

    func unsubscribe(_ subscription: Subscription) {
        streams.withLock { streams in
            streams[subscription.specID]?[subscription.id] = nil
            if streams[subscription.specID]?.isEmpty == true { streams[subscription.specID] = nil }
        }
        subscription.finish()
    }

    /// Streams open now.
    var openStreams: Int { streams.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.store.listen(on: Store.specChangesChannel, retryAfter: .seconds(1), connected: {
                self.logger.debug("listening for spec changes")
                self.notifyAll()
            }, notified: { payload in
                guard let specID = Int64(payload) else { return }
                self.notify(specID)
            })
        }
        // Shutting down: every stream ends, so the server's graceful shutdown does not wait on them.
        let all = streams.withLock { streams in defer { streams = [:] }; return streams.values.flatMap(\.values) }
        all.forEach { $0.finish() }
    }

    func notify(_ specID: Int64) {
        streams.withLock { $0[specID].map { Array($0.values) } ?? [] }.forEach { $0.notify() }
    }

    func notifyAll() {
        streams.withLock { $0.values.flatMap(\.values) }.forEach { $0.notify() }
    }
}
