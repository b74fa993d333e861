import Broker

/// Where the runtime's messages go and when they count as sent: ``Broker/Publisher`` (returns
/// after the broker's confirm) in production. A protocol so a test can see or reroute them.
public protocol MessagePublishing: Sendable {
    func publish(_ message: OutgoingMessage, timeout: Duration?) async throws

    /// Publishes the messages in their order and returns each one's outcome once all have ended.
    func publishAll(_ messages: [OutgoingMessage], timeout: Duration?) async -> [Result<Void, any Error>]
}

extension MessagePublishing {
    /// One after another, each waiting for its confirm.
    public func publishAll(_ messages: [OutgoingMessage], timeout: Duration?) async -> [Result<Void, any Error>] {
        var results: [Result<Void, any Error>] = []
        for message in messages {
            do {
                try await publish(message, timeout: timeout)
                results.append(.success(()))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}

/// Pipelined: the messages' confirms are awaited together.
extension Publisher: MessagePublishing {}
