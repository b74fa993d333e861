import Logging
import MessageHandling
import ServiceDatabase
import ServiceSupport
import Store

/// Bounds every route's database work and turns an outage into `503 Service Unavailable` with
/// `Retry-After`, never a 500 or a request that hangs: each call gets ``timeout``; a database that
/// does not answer (or the pool that cannot reach it) closes an ``OutageGate``, and while it is
/// closed requests are answered 503 at once, without waiting on the pool. The gate probes the
/// database and opens by itself when it answers.
struct DatabaseGuard: Sendable {
    let gate: OutageGate
    let timeout: Duration
    /// What `Retry-After` says.
    static let retryAfterSeconds = 5

    init(store: Store, timeout: Duration, logger: Logger) {
        gate = OutageGate.database(store, logger: logger)
        self.timeout = timeout
    }

    func run<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        guard gate.isOpen else { throw Self.unavailable("the database is unavailable") }
        do {
            let result = try await withDeadline(timeout, onOverrun: .abandon, body)
            gate.reportHealthy()
            return result
        } catch is DeadlineExceeded {
            gate.close(reason: "no answer within \(timeout)")
            throw Self.unavailable("the database did not answer within \(timeout)")
        } catch StoreError.unavailable(let why) {
            gate.close(reason: why)
            throw Self.unavailable("the database is unavailable")
        } catch StoreError.retryable {
            throw APIError(status: .serviceUnavailable, message: "the database asked for the request to be repeated; send it again",
                           retryAfterSeconds: 1)
        }
    }

    static func unavailable(_ why: String) -> APIError {
        APIError(status: .serviceUnavailable, message: "\(why); nothing was changed, send the request again later",
                 retryAfterSeconds: retryAfterSeconds)
    }
}
