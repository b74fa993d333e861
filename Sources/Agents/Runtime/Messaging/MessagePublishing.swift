import Broker

/// Where the runtime's messages go and when they count as sent: ``Broker/Publisher`` (returns
/// after the broker's confirm) in production. A protocol so a test can see or reroute them.
public protocol MessagePublishing: Sendable {
    func publish(_ message: OutgoingMessage, timeout: Duration?) async throws
}

extension Publisher: MessagePublishing {}
