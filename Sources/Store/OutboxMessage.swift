import Foundation

/// A message to publish once the transaction that wrote it commits (the transactional outbox):
/// the state change and the intent to announce it are one atomic write, and a relay
/// (``Store/relayOutbox(limit:isolation:publish:)``) sends it afterwards, at least once.
///
/// The fields map onto AMQP: `exchange` and `routingKey` say where, `messageType` is the `type`
/// property, `messageID` the `message_id` (consumers deduplicate on it), `correlationID` the spec
/// id, `headers` extra string headers such as `traceparent`, `body` the encoded message.
public struct OutboxMessage: Sendable, Equatable {
    public var exchange: String
    public var routingKey: String
    public var messageType: String
    public var messageID: UUID
    public var correlationID: String?
    public var headers: [String: String]
    public var body: Data

    public init(
        exchange: String, routingKey: String, messageType: String, messageID: UUID = UUID(),
        correlationID: String? = nil, headers: [String: String] = [:], body: Data
    ) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.messageType = messageType
        self.messageID = messageID
        self.correlationID = correlationID
        self.headers = headers
        self.body = body
    }
}

/// An outbox row claimed by a relay: the message plus its row id and when it was written
/// (`createdAt` is a fair AMQP `timestamp`).
public struct OutboxRecord: Sendable, Equatable {
    public var id: Int64
    public var message: OutboxMessage
    public var createdAt: Date

    public init(id: Int64, message: OutboxMessage, createdAt: Date) {
        self.id = id
        self.message = message
        self.createdAt = createdAt
    }
}
