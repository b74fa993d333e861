import Foundation

extension AMQPConnection {
    /// Opens a short-lived connection on a thread of its own, runs `body` with it, and closes it.
    ///
    /// For one-off administrative operations (tests deleting their queues); services use
    /// ``Publisher`` and ``Consumer``, which keep their connection.
    static func withTemporaryConnection<Result: Sendable>(
        _ configuration: BrokerConfiguration,
        _ body: @escaping @Sendable (AMQPConnection) throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result {
                    let connection = try AMQPConnection.open(
                        configuration, connectionName: "\(configuration.connectionName) maintenance")
                    defer { connection.close() }
                    return try body(connection)
                })
            }
            thread.name = "broker: \(configuration.connectionName) maintenance"
            thread.start()
        }
    }
}
