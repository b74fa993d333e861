import CRabbitMQ
import Foundation

/// The AMQP operations n0core performs, each a thin checked wrapper over rabbitmq-c.
extension AMQPConnection {
    func declareExchange(_ name: String, type: String) throws {
        withCArena { arena in
            _ = amqp_exchange_declare(
                state, channel, arena.bytes(name), arena.bytes(type),
                0, 1, 0, 0, amqp_table_t(num_entries: 0, entries: nil))
        }
        try checkReply("declaring exchange \(name)")
    }

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

    /// Sends one message with n0core's properties; returns once it is written to the socket.
    func publish(_ message: OutgoingMessage, appID: String) throws {
        let status = withCArena { arena in
            var properties = amqp_basic_properties_t()
            var flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG
                | AMQP_BASIC_APP_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG
            properties.delivery_mode = 2  // persistent
            properties.content_type = arena.bytes(message.contentType)
            properties.message_id = arena.bytes(message.messageID)
            properties.app_id = arena.bytes(message.appID ?? appID)
            properties.timestamp = UInt64(max((message.timestamp ?? Date()).timeIntervalSince1970, 0))
            if !message.type.isEmpty {
                flags |= AMQP_BASIC_TYPE_FLAG
                properties.type = arena.bytes(message.type)
            }
            if let correlationID = message.correlationID {
                flags |= AMQP_BASIC_CORRELATION_ID_FLAG
                properties.correlation_id = arena.bytes(correlationID)
            }
            if !message.headers.isEmpty {
                flags |= AMQP_BASIC_HEADERS_FLAG
                properties.headers = arena.table(message.headers)
            }
            properties._flags = amqp_flags_t(flags)
            return amqp_basic_publish(
                state, channel, arena.bytes(message.exchange), arena.bytes(message.routingKey),
                message.mandatory ? 1 : 0, 0, &properties, arena.bytes(message.body))
        }
        try check(status, "publishing to \(message.exchange)/\(message.routingKey)")
    }

    func ack(_ deliveryTag: UInt64) throws {
        try check(amqp_basic_ack(state, channel, deliveryTag, 0), "acknowledging a delivery")
    }

    func reject(_ deliveryTag: UInt64, requeue: Bool) throws {
        try check(amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0), "rejecting a delivery")
    }
}

extension AMQPConnection {
    /// Declares what the topology lists; safe to repeat on every connect.
    func declare(_ topology: Topology) throws {
        try declareExchange(Topology.exchange, type: "topic")
        try declareQueue(Topology.deadLetterQueue, arguments: topology.deadLetterQueueArguments)
        for queue in topology.queues {
            try declareQueue(queue.name, arguments: topology.workQueueArguments)
            for key in queue.bindingKeys {
                try bindQueue(queue.name, exchange: Topology.exchange, routingKey: key)
            }
        }
    }
}
