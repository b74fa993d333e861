/// Operations on queues outside the message flow: removing queues that are no longer wanted
/// (an agent taken out of service, the temporary queues tests bind).
public enum QueueMaintenance {
    /// Deletes `names` (a missing queue is not an error), on a short-lived connection of its own.
    public static func delete(_ names: [String], configuration: BrokerConfiguration) async throws {
        try await AMQPConnection.withTemporaryConnection(configuration) { connection in
            for name in names { try connection.deleteQueue(name) }
        }
    }
}
