import Foundation

/// Delays between reconnection attempts: exponential, capped, with jitter.
///
/// Starting small gets a service back within a fraction of a second after a broker restart or a
/// dropped connection; the cap keeps a service that waits for a broker outage to end retrying
/// often enough; the jitter keeps every replica of every service from reconnecting in the same
/// instant when the broker comes back.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The delay after the first failure.
    public var initial: Duration
    /// Growth factor from one failure to the next.
    public var multiplier: Double
    /// The longest delay.
    public var maximum: Duration
    /// Fraction (0…1) of each delay that is random: the delay is drawn from
    /// `[base × (1 − jitter), base]`.
    public var jitter: Double

    public init(
        initial: Duration = .milliseconds(100),
        multiplier: Double = 2,
        maximum: Duration = .seconds(5),
        jitter: Double = 0.2
    ) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay to wait after `failures` consecutive failures (1 for the first).
    public func delay(afterFailures failures: Int) -> Duration {
        let exponent = Double(max(failures, 1) - 1)
        let base = min(initial.seconds * pow(multiplier, exponent), maximum.seconds)
        let jittered = base * (1 - jitter * Double.random(in: 0..<1))
        return .nanoseconds(Int64(jittered * 1e9))
    }
}

extension Duration {
    /// The duration as fractional seconds, for arithmetic and for C `timeval`s.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
