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
    /// answers (``Store/answers(within:)``, which never hangs: a gate whose probe hung would
    /// never probe again).
    public static func database(_ store: Store, logger: Logger) -> OutageGate {
        OutageGate(dependency: "database", probeInterval: .seconds(1), logger: logger) {
            await store.answers()
        }
    }
}

extension Store {
    /// Whether the database answers a trivial query within `limit`. A probe whose pool lease
    /// hangs (seen after a PostgreSQL restart) is abandoned rather than waited for, so the
    /// outage gate keeps probing and `/readyz` keeps answering.
    func answers(within limit: Duration = .seconds(2)) async -> Bool {
        (try? await withDeadline(limit, onOverrun: .abandon) { [self] in try await ping(timeout: limit) }) != nil
    }
}
