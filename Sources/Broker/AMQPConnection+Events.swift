import CRabbitMQ
import Foundation

/// What the broker sent on the channel, copied out of rabbitmq-c's buffers.
enum ChannelEvent {
    case delivery(IncomingDelivery)
    case returned(ReturnedMessage)
    /// Publisher confirm: the broker has taken responsibility for the message(s).
    case ack(tag: UInt64, multiple: Bool)
    /// Publisher confirm: the broker could not take the message(s).
    case nack(tag: UInt64, multiple: Bool)
    /// The broker cancelled our consumer (queue deleted, …).
    case consumerCancelled
    /// The broker stopped reading from the connection (resource alarm).
    case blocked(reason: String)
    case unblocked
}

/// A basic.deliver and its content.
struct IncomingDelivery {
    var deliveryTag: UInt64
    var redelivered: Bool
    var exchange: String
    var routingKey: String
    var properties: MessageProperties
    var body: [UInt8]
}

/// A basic.return: a mandatory message that matched no queue.
struct ReturnedMessage {
    var replyCode: Int
    var replyText: String
    var exchange: String
    var routingKey: String
    var messageID: String?
}

extension AMQPConnection {
    /// Waits up to `timeout` for the next event from the broker.
    ///
    /// Also where rabbitmq-c services heartbeats: it sends ours when due and fails with a
    /// heartbeat timeout when the broker has been silent too long. A timeout of zero never
    /// detects that silence, so callers that poll pass at least a millisecond.
    ///
    /// - Returns: nil when nothing arrived in time (or only frames n0core ignores).
    /// - Throws: when the connection or the channel is gone; the connection is then broken.
    func nextEvent(timeout: Duration) throws -> ChannelEvent? {
        var frame = amqp_frame_t()
        var wait = timeval(timeout)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return nil }
        try check(status, "reading from the broker")
        defer { amqp_maybe_release_buffers(state) }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return nil }
        let method = frame.payload.method
        guard let decoded = method.decoded else { return nil }

        switch method.id {
        case AMQP_BASIC_DELIVER_METHOD:
            let deliver = decoded.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            var delivery = IncomingDelivery(
                deliveryTag: deliver.delivery_tag, redelivered: deliver.redelivered != 0,
                exchange: deliver.exchange.string, routingKey: deliver.routing_key.string,
                properties: MessageProperties(), body: [])
            (delivery.properties, delivery.body) = try readContent(on: frame.channel)
            return .delivery(delivery)
        case AMQP_BASIC_RETURN_METHOD:
            let returned = decoded.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            var message = ReturnedMessage(
                replyCode: Int(returned.reply_code), replyText: returned.reply_text.string,
                exchange: returned.exchange.string, routingKey: returned.routing_key.string, messageID: nil)
            message.messageID = try readContent(on: frame.channel).properties.messageID
            return .returned(message)
        case AMQP_BASIC_ACK_METHOD:
            let ack = decoded.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            return .ack(tag: ack.delivery_tag, multiple: ack.multiple != 0)
        case AMQP_BASIC_NACK_METHOD:
            let nack = decoded.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            return .nack(tag: nack.delivery_tag, multiple: nack.multiple != 0)
        case AMQP_BASIC_CANCEL_METHOD:
            return .consumerCancelled
        case AMQP_CONNECTION_BLOCKED_METHOD:
            let blocked = decoded.assumingMemoryBound(to: amqp_connection_blocked_t.self).pointee
            return .blocked(reason: blocked.reason.string)
        case AMQP_CONNECTION_UNBLOCKED_METHOD:
            return .unblocked
        case AMQP_CHANNEL_CLOSE_METHOD:
            throw channelClosedByBroker(method)
        case AMQP_CONNECTION_CLOSE_METHOD:
            throw connectionClosedByBroker(method)
        default:
            return nil
        }
    }

    /// Reads the header and body frames that follow a deliver or return.
    private func readContent(on channel: amqp_channel_t) throws -> (properties: MessageProperties, body: [UInt8]) {
        var message = amqp_message_t()
        let reply = amqp_read_message(state, channel, &message, 0)
        try checkReply(reply, "reading a message")
        defer { amqp_destroy_message(&message) }
        return (message.properties.messageProperties, message.body.array)
    }
}
