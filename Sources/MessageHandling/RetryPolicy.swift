/// How long to wait before handling a message again, and how often.
public struct RetryPolicy: Sendable, Hashable {
    /// Tries of one delivery that ended in ``Disposition/retry(reason:)`` before it is
    /// dead-lettered. Pauses (outages) do not count.
    public var maxAttempts: Int
    /// The first pause; each next one doubles, up to ``maximumDelay``.
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(maxAttempts: Int = 8, initialDelay: Duration = .milliseconds(50), maximumDelay: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The pause after `failures` failed tries (1 for the first), with up to a quarter of random
    /// jitter so replicas that failed together do not retry together.
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, failures) {
            delay = delay * 2
            if delay >= maximumDelay { delay = maximumDelay; break }
        }
        let jitter = Double.random(in: 0...0.25)
        return delay + delay * jitter
    }
}
