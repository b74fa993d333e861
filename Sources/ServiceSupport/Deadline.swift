/// An attempt that took longer than it may.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let limit: Duration
    public var description: String { "gave up after \(limit)" }
}

/// Runs `body`, cancelling it and throwing ``DeadlineExceeded`` when it takes longer than
/// `limit`: what a service waits on (a scheduling attempt, a driver's apply) never waits for ever.
public func withDeadline<Result: Sendable>(
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
