import Foundation

/// A message to publish, with the properties of the wire contract (design §4).
///
/// The publisher adds what is the same for every message: persistent delivery mode, `user_id`
/// (its broker user), and the `app_id` and `timestamp` when the message does not carry its own
/// (``publishedProperties(appID:userID:now:)``).
public struct OutgoingMessage: Sendable, Hashable {
    /// The exchange: ``Topology/exchange``, or ``Topology/deadLetterExchange`` for a dead letter.
    public var exchange: String
    /// `scheduler`, `conductor`, or an agent's UUID.
    public var routingKey: String
    /// `Spec`, `Request`, `Notify` or `Heartbeat` (the AMQP `type` property).
    public var type: String
    /// Unique per message, kept across retries: consumers drop duplicates by it.
    public var messageID: String
    /// The spec id, so one spec can be followed across services.
    public var correlationID: String?
    /// The JSON body.
    public var body: [UInt8]
    /// Extra headers, e.g. `traceparent`.
    public var headers: [String: String]
    /// `application/json` for every n0core message.
    public var contentType: String
    /// A message that matches no queue fails its publish with ``BrokerError/unroutable(exchange:routingKey:reason:)``
    /// instead of being dropped silently.
    public var mandatory: Bool
    /// Overrides the publisher's ``BrokerConfiguration/appID`` (a dead-lettered copy keeps its
    /// original sender).
    public var appID: String?
    /// Overrides the time of publication.
    public var timestamp: Date?

    public init(
        routingKey: String,
        type: String,
        body: [UInt8],
        messageID: String = UUID().uuidString.lowercased(),
        correlationID: String? = nil,
        headers: [String: String] = [:],
        exchange: String = Topology.exchange
    ) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.type = type
        self.messageID = messageID
        self.correlationID = correlationID
        self.body = body
        self.headers = headers
        self.contentType = "application/json"
        self.mandatory = true
        self.appID = nil
        self.timestamp = nil
    }

    public init(
        routingKey: String,
        type: String,
        body: Data,
        messageID: String = UUID().uuidString.lowercased(),
        correlationID: String? = nil,
        headers: [String: String] = [:],
        exchange: String = Topology.exchange
    ) {
        self.init(
            routingKey: routingKey, type: type, body: [UInt8](body), messageID: messageID,
            correlationID: correlationID, headers: headers, exchange: exchange)
    }
}
