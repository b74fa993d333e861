import Foundation
import Logging
import Synchronization

/// An open connection as an engine sees it. The generation numbers connections 1, 2, 3, … so
/// that deliveries from a connection that has since died can be told apart from current ones.
struct Session {
    let connection: AMQPConnection
    let generation: UInt64
}

/// The logic of a publisher or consumer, run by a ``ConnectionWorker`` on its thread.
///
/// Every requirement is called on the worker thread only, which is what lets engines keep plain
/// mutable state and call rabbitmq-c directly.
protocol ConnectionEngine: AnyObject, SendableMetatype {
    /// Requests from other threads (publish, ack, …), carried to the worker thread.
    associatedtype Command: Sendable

    /// Prepares a new connection: declare the topology, confirm mode or qos and consume.
    func sessionOpened(_ session: Session) throws
    /// Executes a command; `session` is nil while disconnected. Throwing means the connection
    /// failed.
    func perform(_ command: Command, session: Session?) throws
    /// Reacts to something the broker sent.
    func handle(_ event: ChannelEvent, session: Session) throws
    /// Called on every turn of the loop while connected: send what is due.
    func service(session: Session, now: ContinuousClock.Instant) throws
    /// The next instant ``service(session:now:)`` has something to do, so the loop wakes for it.
    var nextDeadline: ContinuousClock.Instant? { get }
    /// Whether nothing is in flight, so a graceful stop can close the connection now.
    var isDrained: Bool { get }
    /// The connection is gone: lost (`error`) or closed on purpose (nil).
    func sessionEnded(error: BrokerError?)
    /// The worker is exiting; fail whatever still waits. Commands performed afterwards must be
    /// failed too.
    func stopped()
}

/// Owns one broker connection on one dedicated thread, and keeps it open.
///
/// rabbitmq-c blocks and is not thread-safe, so every call for a connection happens on the
/// thread this worker starts; async code talks to it only through ``submit(_:unlessCancelled:)``
/// and the shared state below. The loop polls the socket together with a wake-up pipe, so
/// commands are executed at once, heartbeats are serviced while idle, and retries are on time.
///
/// When the connection fails the worker reports it, waits (``ReconnectBackoff``), reconnects —
/// to the next node of a cluster, if several are configured (``NodeRotation``) — and lets the
/// engine set the new connection up again (topology, confirms or consumers), until it is asked
/// to stop.
final class ConnectionWorker<Engine: ConnectionEngine>: @unchecked Sendable {
    // @unchecked Sendable: `engine` is touched only on the worker thread once it has started
    // (and only by `init` before); everything else is immutable, a Mutex or an Atomic.

    let configuration: BrokerConfiguration
    let connectionName: String
    let logger: Logger
    let status = ConnectionStatus()

    private let engine: Engine
    private let wakeup = WakeupPipe()
    private let shared = Mutex(Shared())
    private let openGeneration = Atomic<UInt64>(0)

    private enum Phase { case notStarted, running, finished }

    private struct Shared {
        var phase = Phase.notStarted
        var stopRequested = false
        var commands: [Engine.Command] = []
        var finishWaiter: CheckedContinuation<Void, Never>?
    }

    enum SubmitResult { case accepted, cancelled, shutDown }

    init(configuration: BrokerConfiguration, role: String, engine: Engine, logger: Logger) {
        self.configuration = configuration
        self.connectionName = "\(configuration.connectionName) \(role)"
        var logger = logger
        logger[metadataKey: "broker.connection"] = "\(connectionName)"
        self.logger = logger
        self.engine = engine
    }

    /// The generation of the connection that is open right now, 0 while none is.
    var currentGeneration: UInt64 { openGeneration.load(ordering: .acquiring) }

    /// Hands a command to the worker thread and wakes it.
    ///
    /// With `unlessCancelled`, a command from a task that is already cancelled is refused; the
    /// check happens under the same lock as a later cancel command, so a cancellation can never
    /// slip in between and be missed.
    func submit(_ command: Engine.Command, unlessCancelled: Bool = false) -> SubmitResult {
        let result = shared.withLock { shared -> SubmitResult in
            if shared.phase == .finished { return .shutDown }
            if unlessCancelled, Task.isCancelled { return .cancelled }
            shared.commands.append(command)
            return .accepted
        }
        if result == .accepted { wakeup.signal() }
        return result
    }

    /// Starts the thread and returns when it has finished: after ``requestStop()`` or when the
    /// calling task is cancelled.
    func run() async throws {
        let starting = shared.withLock { shared -> Bool in
            guard shared.phase == .notStarted else { return false }
            shared.phase = .running
            return true
        }
        guard starting else { throw BrokerError.alreadyStarted }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                shared.withLock { $0.finishWaiter = continuation }
                let thread = Thread { [self] in threadMain() }
                thread.name = "broker: \(connectionName)"
                thread.start()
            }
        } onCancel: {
            requestStop()
        }
    }

    /// Asks the worker to close its connection and exit; a publisher first waits (briefly) for
    /// the confirms it is owed.
    func requestStop() {
        shared.withLock { $0.stopRequested = true }
        wakeup.signal()
    }

    private var isStopRequested: Bool { shared.withLock { $0.stopRequested } }

    // MARK: - The thread

    private func threadMain() {
        let nodes = configuration.nodeURLs
        var rotation = NodeRotation(count: nodes.count)
        var failedRounds = 0
        var generation: UInt64 = 0
        var everConnected = false
        while !isStopRequested {
            status.update(.connecting)
            let node = nodes[rotation.current]
            let session: Session
            do {
                let connection = try AMQPConnection.open(configuration, node: node, connectionName: connectionName)
                generation += 1
                session = Session(connection: connection, generation: generation)
                do {
                    try engine.sessionOpened(session)
                } catch {
                    engine.sessionEnded(error: Self.brokerError(error))
                    throw error
                }
            } catch {
                let reason = Self.brokerError(error).description
                status.update(.disconnected(reason: reason))
                guard rotation.attemptFailed() else {
                    // Another node of the cluster is still untried in this round: try it at once.
                    logger.warning("cannot connect to this broker node; trying the next", metadata: [
                        "broker.url": "\(node)", "error": "\(reason)", "broker.next_url": "\(nodes[rotation.current])",
                    ])
                    continue
                }
                failedRounds += 1
                let delay = configuration.reconnectBackoff.delay(afterFailures: failedRounds)
                let level: Logger.Level = failedRounds == 1 || failedRounds % 10 == 0 ? .warning : .debug
                logger.log(level: level, "cannot connect to the broker; retrying", metadata: [
                    "broker.url": "\(node)", "error": "\(reason)",
                    "broker.attempt": "\(failedRounds)", "broker.retry_in": "\(delay)",
                ])
                idle(for: delay)
                continue
            }

            openGeneration.store(generation, ordering: .releasing)
            status.update(.connected)
            logger.info(everConnected ? "reconnected to the broker" : "connected to the broker", metadata: [
                "broker.url": "\(node)", "broker.generation": "\(generation)",
            ])
            everConnected = true
            rotation.connected()
            failedRounds = 0

            do {
                try serve(session)
                openGeneration.store(0, ordering: .releasing)
                engine.sessionEnded(error: nil)
                session.connection.close()
                logger.info("closed the broker connection")
            } catch {
                openGeneration.store(0, ordering: .releasing)
                let brokerError = Self.brokerError(error)
                engine.sessionEnded(error: brokerError)
                rotation.connectionLost()
                failedRounds = 1
                let delay = configuration.reconnectBackoff.delay(afterFailures: failedRounds)
                logger.warning("lost the broker connection; reconnecting", metadata: [
                    "broker.url": "\(node)", "error": "\(brokerError)", "broker.retry_in": "\(delay)",
                    "broker.next_url": "\(nodes[rotation.current])",
                ])
                status.update(.disconnected(reason: brokerError.description))
                idle(for: delay)
            }
        }
        finish()
    }

    /// Runs an open connection until a stop is requested (returns) or it fails (throws).
    private func serve(_ session: Session) throws {
        let connection = session.connection
        let heartbeat = configuration.heartbeat
        let pollInterval: Duration = heartbeat > .zero ? max(min(.seconds(1), heartbeat / 4), .milliseconds(50)) : .seconds(1)
        let drainTimeout = min(configuration.operationTimeout, .seconds(5))
        var drainDeadline: ContinuousClock.Instant?
        var lastRead = ContinuousClock.now
        while true {
            if isStopRequested {
                let now = ContinuousClock.now
                let deadline = drainDeadline ?? now + drainTimeout
                drainDeadline = deadline
                if engine.isDrained || now >= deadline { return }
            }
            try runCommands(session)
            try engine.service(session: session, now: .now)

            if connection.hasBufferedInput {
                if let event = try connection.nextEvent(timeout: .zero) {
                    try engine.handle(event, session: session)
                }
                continue
            }
            var wait = pollInterval
            let now = ContinuousClock.now
            for deadline in [engine.nextDeadline, drainDeadline].compactMap({ $0 }) {
                wait = min(wait, max(deadline - now, .zero))
            }
            let readable = wakeup.wait(socket: connection.socketDescriptor, timeout: wait)
            // Read when there is data, and at least once per poll interval anyway: that read is
            // what sends our heartbeats and notices a broker that has gone silent.
            if readable || ContinuousClock.now - lastRead >= pollInterval {
                lastRead = .now
                if let event = try connection.nextEvent(timeout: .milliseconds(1)) {
                    try engine.handle(event, session: session)
                }
            }
        }
    }

    /// Waits out a reconnection delay while still executing commands, so they are queued for
    /// the next connection (publishes) or dropped (settlements of lost deliveries) at once.
    private func idle(for delay: Duration) {
        let until = ContinuousClock.now + delay
        while !isStopRequested {
            try? runCommands(nil)
            let now = ContinuousClock.now
            guard now < until else { return }
            _ = wakeup.wait(socket: nil, timeout: until - now)
        }
    }

    /// Executes queued commands in order. If the connection fails half-way, the commands not yet
    /// executed go back to the front of the queue for the next connection.
    private func runCommands(_ session: Session?) throws {
        let commands = shared.withLock { shared -> [Engine.Command] in
            defer { shared.commands.removeAll(keepingCapacity: true) }
            return shared.commands
        }
        var index = commands.startIndex
        do {
            while index < commands.endIndex {
                let command = commands[index]
                index += 1
                try engine.perform(command, session: session)
            }
        } catch {
            let rest = commands[index...]
            shared.withLock { $0.commands.insert(contentsOf: rest, at: 0) }
            throw error
        }
    }

    private func finish() {
        engine.stopped()
        let (leftovers, waiter) = shared.withLock { shared in
            shared.phase = .finished
            defer {
                shared.commands.removeAll()
                shared.finishWaiter = nil
            }
            return (shared.commands, shared.finishWaiter)
        }
        for command in leftovers { try? engine.perform(command, session: nil) }
        status.update(.shutDown)
        logger.debug("broker worker stopped")
        waiter?.resume()
    }

    static func brokerError(_ error: any Error) -> BrokerError {
        error as? BrokerError ?? .connectionFailed("\(error)")
    }
}
