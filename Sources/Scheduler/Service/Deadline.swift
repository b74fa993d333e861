/// An attempt that took longer than it may.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "gave up after \(limit)" }
}

/// Runs `body`, cancelling it and throwing ``DeadlineExceeded`` when it takes longer than
/// `limit`: nothing the scheduler waits on waits for ever.
func withDeadline<Result: Sendable>(
    _ limit: Duration, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw DeadlineExceeded(limit: limit) }
        return result
    }
}
