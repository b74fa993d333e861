import Foundation

extension OutgoingMessage {
    /// The AMQP properties this message is published with: its own, the publisher's `app_id`
    /// unless the message carries one, the time of publication unless it carries one, and
    /// `user_id`, always the publisher's broker user.
    ///
    /// `user_id` is never taken from the message: RabbitMQ refuses a message whose `user_id` is
    /// not the connection's user (closing the channel), so a consumer can trust it to name the
    /// sender — the conductor checks that an agent's results come from its hypervisor's user.
    /// A dead-lettered copy is published by the service that dead-lettered it, under its own
    /// user; the original sender's stays in ``Delivery/originalUserIDHeader``.
    public func publishedProperties(appID: String, userID: String, now: Date = Date()) -> MessageProperties {
        MessageProperties(
            type: type.isEmpty ? nil : type, messageID: messageID, correlationID: correlationID,
            appID: self.appID ?? appID, userID: userID, contentType: contentType,
            timestamp: timestamp ?? now, headers: headers)
    }
}
