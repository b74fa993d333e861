import Foundation
import Logging

extension Delivery {
    /// Header carrying why a message was dead-lettered.
    public static let deadLetterReasonHeader = "x-n0core-reason"
    /// Header carrying the routing key the message originally had.
    public static let originalRoutingKeyHeader = "x-n0core-original-routing-key"
    /// Header carrying the queue the message was consumed from.
    public static let originalQueueHeader = "x-n0core-original-queue"
    /// Header carrying the broker user that published the original (its `user_id`): the copy is
    /// published by the service that dead-letters it, as its own user.
    public static let originalUserIDHeader = "x-n0core-original-user-id"

    /// Moves the message to ``Topology/deadLetterQueue`` with `reason` in a header, so a bad
    /// message is kept for an operator instead of crash-looping the service or vanishing.
    ///
    /// Publishes a copy (same body, properties and `message_id`, plus the reason and the original
    /// routing key, queue and sender's broker user) through the consumer's dead-letter publisher
    /// and waits for its confirm, then acknowledges the original. If the copy cannot be
    /// published in time, the original is rejected without requeue instead, so the queue's
    /// dead-letter exchange still moves it (without the reason).
    /// - Throws: ``BrokerError/alreadySettled``.
    public func deadLetter(reason: String) async throws {
        try claim()
        var headers = properties.headers
        headers[Self.originalQueueHeader] = queue
        if let userID = properties.userID { headers[Self.originalUserIDHeader] = userID }
        var original = OutgoingMessage(
            routingKey: routingKey, type: properties.type ?? "", body: body,
            messageID: properties.messageID ?? UUID().uuidString.lowercased(),
            correlationID: properties.correlationID, headers: headers, exchange: exchange)
        original.appID = properties.appID
        original.timestamp = properties.timestamp
        original.contentType = properties.contentType ?? original.contentType
        let copy = original.deadLettered(reason: reason)
        let metadata: Logger.Metadata = [
            "message_id": "\(copy.messageID)", "routing_key": "\(routingKey)", "reason": "\(reason)",
        ]
        do {
            try await link.publisher.publish(copy, timeout: link.worker.configuration.operationTimeout)
            await link.settle(self, .ack)
            link.logger.warning("dead-lettered a message", metadata: metadata)
        } catch {
            link.logger.error(
                "could not publish a dead-letter copy; rejecting the message into the dead-letter queue without its reason",
                metadata: metadata.merging(["error": "\(error)"]) { $1 })
            await link.settle(self, .reject(requeue: false))
        }
    }

    /// Decodes the body with `decode`; if that throws, dead-letters the message with the error as
    /// the reason and returns nil. The caller decides what "undecodable" means.
    public func decodeOrDeadLetter<Value>(_ decode: ([UInt8]) throws -> Value) async throws -> Value? {
        let reason: String
        do {
            return try decode(body)
        } catch {
            reason = "undecodable body: \(error)"
        }
        try await deadLetter(reason: reason)
        return nil
    }

    /// Decodes the JSON body as `type`, or dead-letters the message and returns nil.
    public func decodeJSONOrDeadLetter<Value: Decodable>(_ type: Value.Type) async throws -> Value? {
        try await decodeOrDeadLetter { try JSONDecoder().decode(Value.self, from: Data($0)) }
    }
}
