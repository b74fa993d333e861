import Foundation

extension AMQPConnection {
    /// Opens a short-lived connection on a thread of its own, runs `body` with it, and closes it.
    /// The configuration's nodes are tried in turn, so a stopped node of a cluster does not fail it.
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
                    let connection = try openFirstNode(configuration, connectionName: "\(configuration.connectionName) maintenance")
                    defer { connection.close() }
                    return try body(connection)
                })
            }
            thread.name = "broker: \(configuration.connectionName) maintenance"
            thread.start()
        }
    }

    /// A connection to the first of the configuration's nodes that answers; the last node's
    /// error when none does.
    static func openFirstNode(_ configuration: BrokerConfiguration, connectionName: String) throws -> AMQPConnection {
        var failure: (any Error)?
        for node in [configuration.url] + configuration.failoverURLs {
            do {
                return try AMQPConnection.open(configuration, node: node, connectionName: connectionName)
            } catch {
                failure = error
            }
        }
        throw failure ?? BrokerError.connectionFailed("no broker node is configured")
    }
}
