import Foundation

/// The AMQP properties n0core uses: those of a received message, and those a publisher puts on
/// an ``OutgoingMessage`` (``OutgoingMessage/publishedProperties(appID:userID:now:)``).
public struct MessageProperties: Sendable, Hashable {
    public var type: String?
    public var messageID: String?
    public var correlationID: String?
    public var appID: String?
    /// The broker user the message was published as (AMQP `user_id`). RabbitMQ refuses a
    /// message whose `user_id` is not the user of the connection publishing it, so a present
    /// value names the real sender; a publisher may leave it out, so an absent one proves nothing.
    public var userID: String?
    public var contentType: String?
    /// Second resolution, as AMQP carries it.
    public var timestamp: Date?
    /// Headers whose values are strings, numbers or booleans, as strings; nested tables and
    /// arrays (such as the broker's `x-death`) are left out.
    public var headers: [String: String]

    public init(
        type: String? = nil, messageID: String? = nil, correlationID: String? = nil,
        appID: String? = nil, userID: String? = nil, contentType: String? = nil, timestamp: Date? = nil,
        headers: [String: String] = [:]
    ) {
        self.type = type
        self.messageID = messageID
        self.correlationID = correlationID
        self.appID = appID
        self.userID = userID
        self.contentType = contentType
        self.timestamp = timestamp
        self.headers = headers
    }
}
