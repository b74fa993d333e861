import Logging
import MessageHandling
import Store
import ServiceSupport

extension ErrorClassifier {
    /// The store's errors as dispositions: an unreachable or hung database pauses consuming (no
    /// delivery attempt is spent on an outage), a serialization failure or deadlock is retried.
    public static let store = ErrorClassifier { error in
        switch error {
        case StoreError.unavailable(let why): .pause(reason: "database unavailable: \(why)")
        case is DeadlineExceeded: .pause(reason: "the database did not answer in time (\(error))")
        case StoreError.retryable(let why): .retry(reason: why)
        default: nil
        }
    }
}

extension OutageGate {
    /// The gate of a service's database: closed by an outage, opened again when a probe query
    /// answers. A probe that hangs (a pool lease never resumed) is abandoned, or the gate would
    /// never probe again.
    public static func database(_ store: Store, logger: Logger) -> OutageGate {
        OutageGate(dependency: "database", probeInterval: .seconds(1), logger: logger) {
            (try? await withDeadline(.seconds(3), onOverrun: .abandon) { try await store.ping(timeout: .seconds(2)) }) != nil
        }
    }
}
