import Broker
import Foundation

/// What a service writes to consume a queue: how to read a delivery, and what to do with it.
/// The ``MessageDispatcher`` does the rest (concurrency, retries, pausing, settling, metrics).
public protocol MessageHandler: Sendable {
    associatedtype Message: Sendable

    /// Reads a delivery (its AMQP `type`, `message_id` and body). Throw ``MessageRejection`` for
    /// anything that can never be processed: the delivery is dead-lettered with the reason.
    func decode(_ envelope: Envelope) throws(MessageRejection) -> Message

    /// Handles the message; return how it ended, or throw. A thrown ``MessageRejection``
    /// dead-letters the delivery; any other error is classified by the dispatcher's
    /// ``ErrorClassifier`` (an outage pauses, the rest is retried).
    func handle(_ message: Message, context: HandlingContext) async throws -> Disposition

    /// Whether `message` is handled before the next delivery is taken (an agent records another
    /// agent's `Notify` before it looks at a later message). Default: no, handled concurrently.
    func handlesInLine(_ message: Message) -> Bool

    /// Called once when the queue's deliveries have ended (graceful shutdown), before the
    /// dispatcher waits for the messages in hand: wake what waits so it can return ``Disposition/abandon``.
    func deliveriesEnded() async
}

extension MessageHandler {
    public func handlesInLine(_ message: Message) -> Bool { false }
    public func deliveriesEnded() async {}
}

/// What a handler's `decode` sees of a delivery.
public struct Envelope: Sendable {
    public var body: [UInt8]
    public var properties: MessageProperties
    public var redelivered: Bool

    public init(body: [UInt8], properties: MessageProperties, redelivered: Bool) {
        self.body = body
        self.properties = properties
        self.redelivered = redelivered
    }

    public var data: Data { Data(body) }

    /// The `message_id` as a UUID, or a rejection naming what is missing (consumers that
    /// deduplicate need one).
    public func messageUUID() throws(MessageRejection) -> UUID {
        guard let text = properties.messageID, let id = UUID(uuidString: text) else {
            throw MessageRejection("a \(properties.type ?? "message") needs a UUID message_id to be recognised when redelivered; got "
                + (properties.messageID.map { "'\($0)'" } ?? "none"))
        }
        return id
    }
}

/// What a handler knows about the delivery it handles.
public struct HandlingContext: Sendable {
    public var properties: MessageProperties
    public var redelivered: Bool
    /// 1 for the first try in this process, 2 after one ``Disposition/retry(reason:)`` …
    public var attempt: Int

    public init(properties: MessageProperties, redelivered: Bool, attempt: Int) {
        self.properties = properties
        self.redelivered = redelivered
        self.attempt = attempt
    }
}
