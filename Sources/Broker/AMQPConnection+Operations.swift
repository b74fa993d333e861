import CRabbitMQ
import Foundation

/// The AMQP operations n0core performs, each a thin checked wrapper over rabbitmq-c.
extension AMQPConnection {
    func declareQueue(_ name: String, arguments: [(String, FieldValue)]) throws {
        withCArena { arena in
            _ = amqp_queue_declare(state, channel, arena.bytes(name), 0, 1, 0, 0, arena.table(arguments))
        }
        try checkReply("declaring queue \(name)")
    }

    func bindQueue(_ name: String, exchange: String, routingKey: String) throws {
        withCArena { arena in
            _ = amqp_queue_bind(
                state, channel, arena.bytes(name), arena.bytes(exchange), arena.bytes(routingKey),
                amqp_table_t(num_entries: 0, entries: nil))
        }
        try checkReply("binding queue \(name) to \(exchange) with \(routingKey)")
    }

    func deleteQueue(_ name: String) throws {
        withCArena { arena in
            _ = amqp_queue_delete(state, channel, arena.bytes(name), 0, 0)
        }
        try checkReply("deleting queue \(name)")
    }

    /// Limits unacknowledged deliveries on this channel.
    func setPrefetch(_ count: UInt16) throws {
        _ = amqp_basic_qos(state, channel, 0, count, 0)
        try checkReply("setting the prefetch")
    }

    /// Starts consuming with manual acknowledgements.
    func consume(_ queue: String) throws {
        withCArena { arena in
            _ = amqp_basic_consume(
                state, channel, arena.bytes(queue), amqp_bytes_t(len: 0, bytes: nil),
                0, 0, 0, amqp_table_t(num_entries: 0, entries: nil))
        }
        try checkReply("consuming from queue \(queue)")
    }

    /// Puts the channel in confirm mode: from now on the broker acks (or nacks) every publish,
    /// numbering them 1, 2, 3, … on this channel.
    func enableConfirms() throws {
        _ = amqp_confirm_select(state, channel)
        try checkReply("enabling publisher confirms")
    }

    /// Sends one message with `published` as its properties (``OutgoingMessage/publishedProperties(appID:userID:now:)``);
    /// returns once it is written to the socket.
    func publish(_ message: OutgoingMessage, properties published: MessageProperties) throws {
        let status = withCArena { arena in
            var properties = amqp_basic_properties_t()
            var flags = AMQP_BASIC_DELIVERY_MODE_FLAG
            properties.delivery_mode = 2  // persistent
            func set(_ value: String?, _ flag: Int32, _ field: WritableKeyPath<amqp_basic_properties_t, amqp_bytes_t>) {
                guard let value else { return }
                flags |= flag
                properties[keyPath: field] = arena.bytes(value)
            }
            set(published.contentType, AMQP_BASIC_CONTENT_TYPE_FLAG, \.content_type)
            set(published.messageID, AMQP_BASIC_MESSAGE_ID_FLAG, \.message_id)
            set(published.appID, AMQP_BASIC_APP_ID_FLAG, \.app_id)
            set(published.userID, AMQP_BASIC_USER_ID_FLAG, \.user_id)
            set(published.type, AMQP_BASIC_TYPE_FLAG, \.type)
            set(published.correlationID, AMQP_BASIC_CORRELATION_ID_FLAG, \.correlation_id)
            if let timestamp = published.timestamp {
                flags |= AMQP_BASIC_TIMESTAMP_FLAG
                properties.timestamp = UInt64(max(timestamp.timeIntervalSince1970, 0))
            }
            if !published.headers.isEmpty {
                flags |= AMQP_BASIC_HEADERS_FLAG
                properties.headers = arena.table(published.headers)
            }
            properties._flags = amqp_flags_t(flags)
            return amqp_basic_publish(
                state, channel, arena.bytes(message.exchange), arena.bytes(message.routingKey),
                message.mandatory ? 1 : 0, 0, &properties, arena.bytes(message.body))
        }
        try check(status, "publishing to \(message.exchange)/\(message.routingKey)")
    }

    /// Acknowledges the delivery, or with `multiple` every unacknowledged one up to it.
    func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws {
        try check(amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0), "acknowledging a delivery")
    }

    func reject(_ deliveryTag: UInt64, requeue: Bool) throws {
        try check(amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0), "rejecting a delivery")
    }
}
