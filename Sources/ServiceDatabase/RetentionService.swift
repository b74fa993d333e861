import Logging
import ServiceLifecycle
import Store
import ServiceSupport

/// Deletes, every ``interval``, what the store keeps only for a while (``RetentionPeriods``):
/// sent outbox rows (and the VNC passwords their bodies may carry), old records of processed
/// messages, the history of settled versions. The conductor runs it; replicas running it at
/// once only delete the same rows twice over.
public struct RetentionService: Service {
    let store: Store
    let periods: RetentionPeriods
    let interval: Duration
    let logger: Logger

    public init(store: Store, periods: RetentionPeriods, interval: Duration, logger: Logger) {
        self.store = store
        self.periods = periods
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await store.prune(periods)
                    if report.total > 0 {
                        logger.info("pruned what outlived its retention", metadata: [
                            "outbox": "\(report.outbox)", "processed_messages": "\(report.processedMessages)",
                            "events": "\(report.events)", "failures": "\(report.failures)",
                        ])
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("pruning failed; trying again at the next interval", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}

extension ServiceConfiguration {
    /// `retention.*` keys (seconds): `outbox_sent_seconds` (300), `processed_messages_seconds`
    /// (604800, a week), `settled_history_seconds` (7776000, 90 days), `interval_seconds` (300).
    public func retention() throws -> (periods: RetentionPeriods, interval: Duration) {
        func seconds(_ key: String, _ value: Int) throws -> Duration {
            // Up to ten years: kept for long, but within what the database's intervals count.
            try reader.seconds("retention.\(key)", default: value, in: 1...315_360_000)
        }
        let periods = RetentionPeriods(
            sentOutbox: try seconds("outbox_sent_seconds", 300),
            processedMessages: try seconds("processed_messages_seconds", 604_800),
            settledHistory: try seconds("settled_history_seconds", 7_776_000))
        return (periods, try seconds("interval_seconds", 300))
    }
}
