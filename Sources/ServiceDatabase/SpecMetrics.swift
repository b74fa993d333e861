import Metrics
import Store

/// What the control services count of spec versions (docs/metrics.md): each accepted, each
/// settled by its end state, and how long the applied ones took from acceptance. Fed by the
/// store after each commit (``Store/onVersionChanges``), so a change is counted once, by the
/// service that made it: versions are accepted and superseded by the API, applied or failed by
/// the conductor, failed by the scheduler when they cannot be placed, and applied at once by
/// the API or the scheduler when they leave nothing to do.
public struct SpecMetrics: Sendable {
    public init() {}

    public func record(_ changes: [SpecVersionChange]) {
        for change in changes {
            switch change {
            case .accepted:
                Counter(label: "n0core_spec_versions_accepted_total").increment()
            case .settled(let state, let after):
                Counter(label: "n0core_spec_versions_settled_total", dimensions: [("state", state.rawValue)]).increment()
                if state == .applied {
                    Metrics.Timer(label: "n0core_spec_accepted_to_applied_seconds").record(duration: after)
                }
            }
        }
    }
}
