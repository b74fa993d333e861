import Foundation

/// Whether the conductor may judge others by silence: declare an agent dead, or give up on an
/// object whose agent has not answered in time.
///
/// Silence means something only when the conductor could have heard: its consumer connected and
/// its database answering, both without a break, and caught up with what was queued meanwhile
/// (a heartbeat sent after it started hearing again has been recorded: the queue is first in,
/// first out, so what was sent before it has been read; with no agent alive to send one, after
/// ``catchUpLimit``). How long it has heard then bounds what
/// it may conclude: an agent is declared dead only by a conductor that has heard for three of
/// that agent's intervals (``AgentLiveness``), and a late object is given up on only after
/// ``ConductorConfiguration/leaseGrace``. A conductor that cannot hear declares nobody dead
/// (design §3).
struct Hearing: Sendable, Equatable {
    /// Since when the consumer has been connected and the database up, without a break; nil
    /// while either is down.
    var hearingSince: ContinuousClock.Instant?
    /// Whether a heartbeat sent after ``hearingSince`` has been recorded.
    var caughtUp: Bool
    /// Without any agent's heartbeat (none is alive), hearing this long counts as caught up:
    /// whatever was queued before has been read by then.
    var catchUpLimit: Duration = .seconds(60)

    enum Verdict: Sendable, Equatable {
        /// Caught up, and hearing without a break for this long.
        case hearing(for: Duration)
        case blind(String)
    }

    func verdict(now: ContinuousClock.Instant) -> Verdict {
        guard let since = hearingSince else {
            return .blind("the conductor's consumer or database is down")
        }
        guard caughtUp || now - since >= catchUpLimit else {
            return .blind("no heartbeat sent after hearing resumed \((now - since).secondsText) ago has been read yet")
        }
        return .hearing(for: now - since)
    }
}

extension Duration {
    /// `30 s`, `1.5 s`.
    var secondsText: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }

    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
