import Foundation

/// The moments of one spec's way through the pipeline: when the client had the `POST`'s 201,
/// and what the database recorded after it.
///
/// The database's times are PostgreSQL's `now()`, the start of the transaction that wrote the
/// row, on the same clock as the client (one machine). So `scheduledAt` is when the scheduler
/// began placing the spec, `requestsRelayedAt` when the scheduler's outbox relay took its
/// `Request`s (before publishing them), and the `APPLIED` times when the conductor began
/// recording the result (a commit before it is visible).
public struct SpecTimeline: Sendable, Hashable {
    public var specID: Int64
    public var acceptedAt: Date
    public var scheduledAt: Date?
    public var requestsRelayedAt: Date?
    public var firstObjectAppliedAt: Date?
    public var appliedAt: Date?

    public init(specID: Int64, acceptedAt: Date, scheduledAt: Date? = nil, requestsRelayedAt: Date? = nil,
                firstObjectAppliedAt: Date? = nil, appliedAt: Date? = nil) {
        self.specID = specID
        self.acceptedAt = acceptedAt
        self.scheduledAt = scheduledAt
        self.requestsRelayedAt = requestsRelayedAt
        self.firstObjectAppliedAt = firstObjectAppliedAt
        self.appliedAt = appliedAt
    }
}

/// Where a spec's latency goes, stretch by stretch (the per-hop profile the event log gives
/// without instrumenting the services).
public enum HopBreakdown {
    /// The stretches between consecutive moments of ``SpecTimeline/moments``; their medians add
    /// up to about the latency's median.
    public static let stretchNames = [
        "accepted → scheduler begins (API relay, Spec hop)",
        "→ Requests taken by the relay (scheduler tx, commit)",
        "→ first object APPLIED (publish, agent, Notify hop, conductor)",
        "→ spec APPLIED (dependents wait for Notifies)",
    ]

    /// Each stretch over the timelines that have both of its ends.
    public static func segments(_ timelines: [SpecTimeline]) -> [HopSegment] {
        stretchNames.indices.map { index in
            let samples = timelines.compactMap { timeline -> Double? in
                let moments = timeline.moments
                guard let from = moments[index], let to = moments[index + 1] else { return nil }
                return to.timeIntervalSince(from) * 1_000
            }
            return HopSegment(name: stretchNames[index], summary: LatencySummary(milliseconds: samples))
        }
    }
}

extension SpecTimeline {
    /// Accepted, scheduling begun, Requests relayed, first object applied, spec applied.
    var moments: [Date?] {
        [acceptedAt, scheduledAt, requestsRelayedAt, firstObjectAppliedAt, appliedAt]
    }
}
