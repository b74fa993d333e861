import Synchronization

/// Where a publisher's or consumer's connection stands, for readiness probes and logs.
public enum BrokerConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// `run()` has not been called yet.
    case idle
    /// Opening a connection (first time or after a loss).
    case connecting
    /// Connected, topology declared, channel ready.
    case connected
    /// Lost or could not open the connection; retrying with backoff.
    case disconnected(reason: String)
    /// `run()` has returned.
    case shutDown

    public var description: String {
        switch self {
        case .idle: "idle"
        case .connecting: "connecting"
        case .connected: "connected"
        case .disconnected(let reason): "disconnected (\(reason))"
        case .shutDown: "shut down"
        }
    }
}

/// Something whose broker connection a service can report, e.g. in `/readyz`.
public protocol BrokerConnectionReporting: Sendable {
    /// The current state.
    var connectionState: BrokerConnectionState { get }
    /// The current state, then every change, until the client shuts down.
    func connectionStateUpdates() -> AsyncStream<BrokerConnectionState>
}

extension BrokerConnectionReporting {
    /// Whether the connection is up right now.
    public var isConnected: Bool { connectionState == .connected }
}

/// Holds a connection state and fans its changes out to any number of listeners.
final class ConnectionStatus: Sendable {
    private struct Storage {
        var state: BrokerConnectionState = .idle
        var listeners: [Int: AsyncStream<BrokerConnectionState>.Continuation] = [:]
        var nextListener = 0
    }

    private let storage = Mutex(Storage())

    var state: BrokerConnectionState { storage.withLock { $0.state } }

    /// Called from the worker thread only. Listeners get the change in order: the yield
    /// happens under the lock that also orders registrations.
    func update(_ state: BrokerConnectionState) {
        let finished = storage.withLock { storage -> [AsyncStream<BrokerConnectionState>.Continuation] in
            guard storage.state != state else { return [] }
            storage.state = state
            for listener in storage.listeners.values { listener.yield(state) }
            guard state == .shutDown else { return [] }
            defer { storage.listeners.removeAll() }
            return Array(storage.listeners.values)
        }
        for listener in finished { listener.finish() }
    }

    func updates() -> AsyncStream<BrokerConnectionState> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: BrokerConnectionState.self, bufferingPolicy: .bufferingNewest(16))
        let id = storage.withLock { storage -> Int? in
            continuation.yield(storage.state)
            guard storage.state != .shutDown else { return nil }
            let id = storage.nextListener
            storage.nextListener += 1
            storage.listeners[id] = continuation
            return id
        }
        if let id {
            continuation.onTermination = { [weak self] _ in
                self?.storage.withLock { _ = $0.listeners.removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return stream
    }
}
