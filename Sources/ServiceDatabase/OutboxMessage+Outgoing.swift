import Broker
import Foundation
import Store
import ServiceSupport

extension OutboxMessage {
    /// The outbox row that will publish `message` once the surrounding transaction commits.
    public init(_ message: OutgoingMessage) {
        self.init(
            exchange: message.exchange,
            routingKey: message.routingKey,
            messageType: message.type,
            messageID: UUID(uuidString: message.messageID) ?? UUID(),
            correlationID: message.correlationID,
            headers: message.headers,
            body: Data(message.body)
        )
    }
}

extension OutgoingMessage {
    /// The message an outbox row holds, keeping its message id so a re-sent row is a duplicate
    /// its consumer recognises.
    public init(_ record: OutboxRecord) {
        let message = record.message
        self.init(
            routingKey: message.routingKey,
            type: message.messageType,
            body: message.body,
            messageID: message.messageID.uuidString.lowercased(),
            correlationID: message.correlationID,
            headers: message.headers,
            exchange: message.exchange
        )
        timestamp = record.createdAt
    }
}
