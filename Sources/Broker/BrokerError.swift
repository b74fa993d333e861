/// Everything that can go wrong between a service and the broker.
///
/// Each case carries enough to act on from a log line, and none ever carries a password: the
/// broker URL only appears through ``AMQPURL/description``, which masks it.
public enum BrokerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broker URL could not be parsed.
    case invalidURL(String)
    /// The TCP connection, the handshake or a socket operation failed.
    case connectionFailed(String)
    /// The broker closed the connection (for example `ACCESS_REFUSED`, or an operator's
    /// `rabbitmqctl close_connection`).
    case connectionClosed(code: Int, text: String)
    /// The broker closed the channel because of a protocol error on it (for example a queue
    /// re-declared with different arguments).
    case channelClosed(code: Int, text: String)
    /// The broker cancelled the consumer (its queue was deleted, or the node holding it left).
    case consumerCancelled(queue: String)
    /// The operation's deadline passed first.
    case timedOut
    /// A mandatory message matched no queue; the broker returned it instead of dropping it.
    case unroutable(exchange: String, routingKey: String, reason: String)
    /// The broker refused the message (basic.nack) on every attempt.
    case nacked(attempts: Int)
    /// The publisher or consumer has shut down (or never will run again).
    case shutDown
    /// `run()` was called on a publisher or consumer that is already running or has finished.
    case alreadyStarted
    /// The delivery was already acknowledged, rejected or dead-lettered; settling it twice would
    /// make the broker close the channel.
    case alreadySettled

    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid broker URL: \(reason)"
        case .connectionFailed(let reason): "broker connection failed: \(reason)"
        case .connectionClosed(let code, let text): "broker closed the connection (\(code)): \(text)"
        case .channelClosed(let code, let text): "broker closed the channel (\(code)): \(text)"
        case .consumerCancelled(let queue): "broker cancelled the consumer of queue \(queue)"
        case .timedOut: "broker operation timed out"
        case .unroutable(let exchange, let key, let reason):
            "message to exchange '\(exchange)' with routing key '\(key)' is unroutable: \(reason)"
        case .nacked(let attempts): "broker refused the message (nack) \(attempts) times"
        case .shutDown: "broker client has shut down"
        case .alreadyStarted: "broker client is already running or has finished"
        case .alreadySettled: "delivery was already settled"
        }
    }
}
