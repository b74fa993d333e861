import Broker
import Foundation
import MessageHandling
import Synchronization

/// Follows what the conductor can hear: its consumer's connection, its database (the
/// ``OutageGate``), and the heartbeats it records, so the sweeper asks ``verdict()`` before it
/// judges anyone by silence (``Hearing``).
public final class HearingMonitor: Sendable {
    private struct State {
        var connectedSince: (instant: ContinuousClock.Instant, date: Date)?
        var lastFreshHeartbeat: Date?
    }

    private let state = Mutex(State())
    private let gate: OutageGate?
    private let catchUpLimit: Duration

    /// - Parameters:
    ///   - gate: the database's gate; nil when the database is not watched.
    ///   - catchUpLimit: see ``Hearing/catchUpLimit``.
    init(gate: OutageGate?, catchUpLimit: Duration = .seconds(60)) {
        self.gate = gate
        self.catchUpLimit = catchUpLimit
    }

    /// Follows the consumer's connection until it shuts down.
    func follow(_ connection: any BrokerConnectionReporting) async {
        for await update in connection.connectionStateUpdates() {
            connectionChanged(update)
        }
    }

    func connectionChanged(_ connectionState: BrokerConnectionState) {
        state.withLock { state in
            if connectionState == .connected {
                if state.connectedSince == nil { state.connectedSince = (.now, Date()) }
            } else {
                state.connectedSince = nil
            }
        }
    }

    /// A heartbeat was recorded, sent at `sentAt` (the agent's clock).
    func heard(heartbeatSentAt sentAt: Date) {
        state.withLock { state in
            if state.lastFreshHeartbeat.map({ sentAt > $0 }) ?? true { state.lastFreshHeartbeat = sentAt }
        }
    }

    var hearing: Hearing {
        let databaseSince = gate.map { $0.openSince } ?? .some(.now - .seconds(1_000_000))
        return state.withLock { state in
            guard let connected = state.connectedSince, let databaseSince else {
                return Hearing(hearingSince: nil, caughtUp: false, catchUpLimit: catchUpLimit)
            }
            let since = max(connected.instant, databaseSince)
            // The wall-clock time hearing began, to compare with the agents' `sent_at`.
            let sinceDate = connected.date.addingTimeInterval((since - connected.instant).seconds)
            let caughtUp = state.lastFreshHeartbeat.map { $0 >= sinceDate } ?? false
            return Hearing(hearingSince: since, caughtUp: caughtUp, catchUpLimit: catchUpLimit)
        }
    }

    func verdict() -> Hearing.Verdict {
        hearing.verdict(now: .now)
    }
}
