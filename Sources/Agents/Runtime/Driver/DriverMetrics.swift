import Messages
import Metrics
import ServiceSupport

/// What an agent's driver does, counted (docs/metrics.md): each call that changes the host, by
/// the agent's type (`driver`), the object's type, what was asked and how it ended, and how long
/// it took.
struct DriverMetrics: Sendable {
    /// The agent type whose driver this is.
    let driver: ObjectType

    enum Operation: String, Sendable {
        /// Make the host match the object's desired state.
        case apply
        /// Drive it to `deleted` or `destroyed`.
        case remove
        /// Bring back at agent start what the host's restart undid.
        case restore
    }

    enum Outcome: String, Sendable {
        case succeeded, failed
        /// Past the agent's apply deadline.
        case timedOut = "timed_out"
        /// Cut short by the agent stopping.
        case interrupted
    }

    /// Runs `body` (one driver call within its deadline) and records how it ended and how long
    /// it took; its result or error passes through unchanged.
    func measure<Result>(
        _ operation: Operation, of type: ObjectType?, _ body: () async throws -> Result
    ) async throws -> Result {
        let started = ContinuousClock.now
        do {
            let result = try await body()
            record(operation, of: type, .succeeded, after: .now - started)
            return result
        } catch {
            let outcome: Outcome = switch error {
            case is DeadlineExceeded: .timedOut
            case is CancellationError: .interrupted
            default: Task.isCancelled ? .interrupted : .failed
            }
            record(operation, of: type, outcome, after: .now - started)
            throw error
        }
    }

    private func record(_ operation: Operation, of type: ObjectType?, _ outcome: Outcome, after duration: Duration) {
        let typeLabel = type?.rawValue ?? "-"
        Counter(label: "n0core_driver_operations_total", dimensions: [
            ("driver", driver.rawValue), ("type", typeLabel), ("operation", operation.rawValue), ("outcome", outcome.rawValue),
        ]).increment()
        Metrics.Timer(label: "n0core_driver_operation_seconds", dimensions: [
            ("driver", driver.rawValue), ("type", typeLabel), ("operation", operation.rawValue),
        ]).record(duration: duration)
    }
}
