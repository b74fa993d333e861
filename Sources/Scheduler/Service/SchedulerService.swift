import Broker
import Logging
import MessageHandling
import ServiceLifecycle
import ServiceDatabase
import ServiceSupport
import Store

/// The scheduler as a service: its queue's deliveries go through the ``MessageDispatcher`` to
/// the ``SpecHandler``, up to `settings.concurrency` specs at once (those in hand together share
/// a transaction, up to `settings.batchSize`), each acknowledged only once its effect is
/// committed; specs waiting for room are tried again (``DeferredScheduling``).
/// While the database is away both pause on one ``OutageGate``.
public struct SchedulerService: Service {
    let dispatcher: MessageDispatcher<Consumer, SpecHandler>
    let deferred: DeferredScheduling

    public init(consumer: Consumer, store: Store, settings: SchedulerSettings, logger: Logger) {
        let gate = OutageGate.database(store, logger: logger)
        let scheduler = SpecScheduler(store: store, settings: settings, logger: logger)
        dispatcher = MessageDispatcher(
            source: consumer,
            handler: SpecHandler(
                scheduler: scheduler,
                batches: settings.batchSize > 1
                    ? GroupCommit(queue: consumer.queue, maximumBatch: settings.batchSize) { [timeout = settings.attemptTimeout] items in
                        // Bounded like one spec's attempt: a batch stuck on a vanished database
                        // must not keep every later spec waiting behind it.
                        try await withDeadline(timeout, onOverrun: .abandon) { await scheduler.schedule(items) }
                    } : nil,
                settings: settings, logger: logger),
            configuration: .init(concurrency: settings.concurrency), classifier: .store, gate: gate, logger: logger)
        deferred = DeferredScheduling(scheduler: scheduler, gate: gate, logger: logger)
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await dispatcher.run() }
            group.addTask { try await deferred.run() }
        }
    }
}
