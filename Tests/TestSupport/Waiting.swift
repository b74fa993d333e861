/// Why a wait gave up.
public struct TimedOut: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Calls `check` every `interval` until it returns a value, and returns it; throws ``TimedOut``
/// (naming `what`) after `limit`. Errors from `check` end the wait.
@discardableResult
public func poll<Value: Sendable>(
    _ what: String, within limit: Duration = .seconds(20), every interval: Duration = .milliseconds(50),
    _ check: () async throws -> Value?
) async throws -> Value {
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try await check() { return value }
        guard ContinuousClock.now < deadline else { throw TimedOut("timed out after \(limit) waiting for \(what)") }
        try await Task.sleep(for: interval)
    }
}

/// Waits until `condition` holds, as ``poll(_:within:every:_:)`` does.
public func waitUntil(
    _ what: String, within limit: Duration = .seconds(20), every interval: Duration = .milliseconds(50),
    _ condition: () async throws -> Bool
) async throws {
    try await poll(what, within: limit, every: interval) { try await condition() ? true : nil }
}
