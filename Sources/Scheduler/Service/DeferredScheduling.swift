import Foundation
import Logging
import MessageHandling
import ServiceLifecycle
import ServiceDatabase
import ServiceSupport
import Store

/// Tries again the specs that waited for room (``SpecScheduler/retry(deferred:)``): every
/// second, the longest-due first, a bounded number per pass. Each is taken under its row lock
/// (`SKIP LOCKED`), so replicas never try the same one at once. While the database is away it
/// waits on the scheduler's ``OutageGate`` like the queue does.
struct DeferredScheduling: Service {
    let scheduler: SpecScheduler
    let gate: OutageGate
    let logger: Logger
    /// Specs tried per pass.
    static let batch = 32
    static let interval = Duration.seconds(1)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if gate.isOpen {
                    await pass()
                } else if !(await gate.waitUntilOpen()) {
                    break
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }

    /// One pass; what each retry ended in.
    @discardableResult
    func pass() async -> [SpecScheduler.Outcome] {
        let due: [DeferredSpec]
        do {
            // Bounded like a retry: a pool lease that never comes (seen after the database came
            // back) would otherwise hold this loop, and with it the scheduler's shutdown, for ever.
            let store = scheduler.store
            due = try await withDeadline(scheduler.settings.attemptTimeout, onOverrun: .abandon) {
                try await store.withTransaction { tx in try await tx.dueDeferredSpecs(limit: Self.batch) }
            }
        } catch {
            report(error)
            return []
        }
        var outcomes: [SpecScheduler.Outcome] = []
        for deferred in due {
            if Task.isCancelled { break }
            let metadata: Logger.Metadata = [
                "spec_id": "\(deferred.specID)", "version": "\(deferred.version)", "message_id": "\(deferred.messageID)",
            ]
            do {
                let scheduler = self.scheduler
                guard let outcome = try await withDeadline(scheduler.settings.attemptTimeout, onOverrun: .abandon, {
                    try await scheduler.retry(deferred: deferred.messageID)
                }) else { continue }
                outcomes.append(outcome)
                if case .waiting = outcome {
                    logger.debug("spec still waits for room", metadata: metadata)
                } else {
                    outcome.log(to: logger, metadata: metadata, objects: 0)
                }
            } catch {
                report(error, metadata: metadata)
                if !gate.isOpen { break }
            }
        }
        return outcomes
    }

    private func report(_ error: any Error, metadata: Logger.Metadata = [:]) {
        switch ErrorClassifier.store.disposition(for: error) {
        case .pause(let reason):
            gate.close(reason: reason)
        default:
            logger.warning("trying a waiting spec again failed; it is tried at the next pass", metadata: metadata.merging([
                "error": "\(error)",
            ]) { $1 })
        }
    }
}
