import Foundation

/// The AMQP properties of a received message that n0core uses.
public struct MessageProperties: Sendable, Hashable {
    public var type: String?
    public var messageID: String?
    public var correlationID: String?
    public var appID: String?
    public var contentType: String?
    /// Second resolution, as AMQP carries it.
    public var timestamp: Date?
    /// Headers whose values are strings, numbers or booleans, as strings; nested tables and
    /// arrays (such as the broker's `x-death`) are left out.
    public var headers: [String: String]

    public init(
        type: String? = nil, messageID: String? = nil, correlationID: String? = nil,
        appID: String? = nil, contentType: String? = nil, timestamp: Date? = nil,
        headers: [String: String] = [:]
    ) {
        self.type = type
        self.messageID = messageID
        self.correlationID = correlationID
        self.appID = appID
        self.contentType = contentType
        self.timestamp = timestamp
        self.headers = headers
    }
}
