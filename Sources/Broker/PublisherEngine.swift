import Logging

/// The publisher's side of its worker thread: sends messages on a confirm-mode channel and
/// completes each `publish` when the broker has confirmed it.
///
/// Message state machine: *waiting* (queued, or to be retried) → *unconfirmed* (written, tagged
/// with the channel's publish sequence number) → confirmed (ack: success) or back to waiting
/// (nack, or the connection died before the confirm). Republishing after a lost connection can
/// deliver a message twice; consumers deduplicate by `message_id`.
final class PublisherEngine: ConnectionEngine {
    enum Command: Sendable {
        /// Messages to send, in this order.
        case publish([Request])
        case cancel(ids: [UInt64])
    }

    struct Request: Sendable {
        let id: UInt64
        let message: OutgoingMessage
    }

    /// A message somewhere between `publish` and its confirm.
    private final class Entry {
        let request: Request
        var nacks = 0
        /// Retry after a nack not before this instant.
        var notBefore: ContinuousClock.Instant?
        /// Set by a basic.return; the ack that follows it then fails the publish.
        var returned: BrokerError?

        init(_ request: Request) { self.request = request }
    }

    /// After this many nacks of one message, `publish` fails with ``BrokerError/nacked(attempts:)``.
    /// Retried with the reconnect backoff, so the default backoff keeps trying for about 20 s: a
    /// quorum queue nacks while it starts (seen for over a second on a loaded machine, right
    /// after its declaration), and that must delay a message, not fail it.
    static let maximumNacks = 10
    /// Every this many nacks of one message, the connection is dropped and opened again (to the
    /// next node of a cluster). A channel can keep refusing a quorum queue's messages for good
    /// after the queue's leader node died while it was being opened (seen with RabbitMQ 3.10:
    /// the channel never learns the new leader), while a new channel is served at once.
    static let nacksBeforeReconnect = 3
    /// Messages written but not yet confirmed, at most; more wait until confirms arrive.
    static let maximumInFlight = 1024
    /// Messages written per turn of the worker loop, at most.
    static let batchSize = 128

    private let callers: PendingPublishes
    private let topology: Topology
    private let appID: String
    /// The broker user this publisher logs in as: every message's `user_id`.
    private let userID: String
    private let backoff: ReconnectBackoff
    private let logger: Logger

    private var waiting: [Entry] = []
    private var unconfirmed: [UInt64: Entry] = [:]
    private var nextTag: UInt64 = 1
    private var isStopped = false
    private var warnedLegacyQueues: Set<String> = []

    init(topology: Topology, configuration: BrokerConfiguration, callers: PendingPublishes, logger: Logger) {
        self.callers = callers
        self.topology = topology
        self.appID = configuration.appID
        self.userID = configuration.url.user
        self.backoff = configuration.reconnectBackoff
        self.logger = logger
    }

    func sessionOpened(_ session: Session) throws {
        try session.connection.declare(topology).log(to: logger, warned: &warnedLegacyQueues)
        try session.connection.enableConfirms()
        nextTag = 1
    }

    func perform(_ command: Command, session: Session?) throws {
        switch command {
        case .publish(let requests):
            if isStopped {
                for request in requests { callers.complete(request.id, with: .failure(BrokerError.shutDown)) }
            } else {
                waiting.append(contentsOf: requests.map(Entry.init))
            }
        case .cancel(let ids):
            // The callers have already been told; forget the messages unless they are on the wire.
            let cancelled = Set(ids)
            waiting.removeAll { cancelled.contains($0.request.id) }
        }
    }

    /// Writes waiting messages, in order, up to ``maximumInFlight`` unconfirmed ones and at most
    /// ``batchSize`` per turn of the worker loop, so that confirms keep being read during a burst.
    func service(session: Session, now: ContinuousClock.Instant) throws {
        var kept: [Entry] = []
        var index = waiting.startIndex
        var sent = 0
        defer { waiting = kept + waiting[index...] }
        while index < waiting.endIndex, unconfirmed.count < Self.maximumInFlight, sent < Self.batchSize {
            let entry = waiting[index]
            if !callers.contains(entry.request.id) {
                // Cancelled or timed out before it was sent: drop it.
                index += 1
                continue
            }
            if let notBefore = entry.notBefore, notBefore > now {
                kept.append(entry)
                index += 1
                continue
            }
            let message = entry.request.message
            try session.connection.publish(message, properties: message.publishedProperties(appID: appID, userID: userID))
            index += 1
            sent += 1
            entry.notBefore = nil
            unconfirmed[nextTag] = entry
            nextTag += 1
        }
    }

    /// Now, while there is something to send; otherwise the next retry after a nack.
    var nextDeadline: ContinuousClock.Instant? {
        if unconfirmed.count < Self.maximumInFlight, waiting.contains(where: { $0.notBefore == nil }) {
            return .now
        }
        return waiting.compactMap(\.notBefore).min()
    }

    var isDrained: Bool { waiting.isEmpty && unconfirmed.isEmpty }

    func handle(_ event: ChannelEvent, session: Session) throws {
        switch event {
        case .ack(let tag, let multiple):
            for entry in settle(tag: tag, multiple: multiple) {
                callers.complete(entry.request.id, with: entry.returned.map { .failure($0) } ?? .success(()))
            }
        case .nack(let tag, let multiple):
            let now = ContinuousClock.now
            var reconnect = false
            for entry in settle(tag: tag, multiple: multiple) {
                entry.nacks += 1
                if entry.nacks % Self.nacksBeforeReconnect == 0 { reconnect = true }
                if entry.nacks >= Self.maximumNacks {
                    callers.complete(entry.request.id, with: .failure(BrokerError.nacked(attempts: entry.nacks)))
                } else {
                    logger.warning("broker refused a message (nack); retrying", metadata: [
                        "message_id": "\(entry.request.message.messageID)", "attempt": "\(entry.nacks)",
                    ])
                    entry.notBefore = now + backoff.delay(afterFailures: entry.nacks)
                    entry.returned = nil
                    requeue([entry])
                }
            }
            // Failing the connection makes the worker open a new one (and channel); what is
            // unconfirmed is sent again there.
            if reconnect { throw BrokerError.nacked(attempts: Self.nacksBeforeReconnect) }
        case .returned(let message):
            // The return precedes the ack of the same message; match it by message id.
            let candidates = unconfirmed.filter {
                $0.value.returned == nil && $0.value.request.message.messageID == message.messageID
            }
            if let (_, entry) = candidates.min(by: { $0.key < $1.key }) {
                entry.returned = .unroutable(
                    exchange: message.exchange, routingKey: message.routingKey, reason: message.replyText)
            }
        case .blocked(let reason):
            logger.warning("broker blocked publishing on this connection", metadata: ["reason": "\(reason)"])
        case .unblocked:
            logger.info("broker unblocked publishing on this connection")
        case .delivery, .consumerCancelled:
            break
        }
    }

    func sessionEnded(error: BrokerError?) {
        // Whatever was not confirmed may or may not have reached the broker: send it again on
        // the next connection (at-least-once).
        let pending = unconfirmed.sorted { $0.key < $1.key }.map(\.value)
        unconfirmed.removeAll()
        for entry in pending { entry.returned = nil }
        requeue(pending.filter { callers.contains($0.request.id) })
    }

    func stopped() {
        isStopped = true
        let pending = waiting + unconfirmed.values
        waiting.removeAll()
        unconfirmed.removeAll()
        for entry in pending { callers.complete(entry.request.id, with: .failure(BrokerError.shutDown)) }
    }

    /// Removes and returns the entries a confirm covers.
    private func settle(tag: UInt64, multiple: Bool) -> [Entry] {
        let tags = multiple ? unconfirmed.keys.filter { $0 <= tag }.sorted() : [tag]
        return tags.compactMap { unconfirmed.removeValue(forKey: $0) }
    }

    /// Puts entries back among the waiting ones, keeping publication order.
    private func requeue(_ entries: [Entry]) {
        waiting = (entries + waiting).sorted { $0.request.id < $1.request.id }
    }
}
