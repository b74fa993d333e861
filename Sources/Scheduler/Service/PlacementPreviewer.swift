import Foundation
import Logging
import Messages
import Store

/// Where the scheduler would place a spec's objects now, decided as the scheduler decides
/// (``SpecScheduler``'s reads, ``Placement``, ``PlacementOutlook``) in a read-only transaction:
/// nothing is claimed, recorded or sent. A plan (`?dry_run=true`) shows it; the real placement
/// may differ if agents or claims change before the spec is sent.
public struct PlacementPreviewer: Sendable {
    let scheduler: SpecScheduler

    public enum Outcome: Sendable, Equatable {
        /// Every object fits: the agents each would be placed on (none for objects being removed).
        case placed([ObjectID: [RegisteredAgent]])
        /// It would wait for room (or for its agents), with each object's reason.
        case waiting(PlacementFailure)
        /// It could never fit, or the annotations cannot be read: the version would fail.
        case impossible(PlacementFailure)
    }

    /// - Parameter settings: the scheduler's; the API uses the defaults (docs/api.md says so).
    public init(store: Store, settings: SchedulerSettings = SchedulerSettings(), logger: Logger) {
        scheduler = SpecScheduler(store: store, settings: settings, logger: logger)
    }

    /// The outcome of scheduling `message` (a `Spec` as the API would send it) now.
    public func preview(_ message: SpecMessage) async throws -> Outcome {
        let constraints: SchedulingConstraints
        do {
            constraints = try SchedulingConstraints(annotations: message.annotations)
        } catch {
            return .impossible(PlacementFailure(every: message.spec.compactMap(\.id), error.description))
        }
        return try await scheduler.store.withTransaction { tx in
            try await tx.makeReadOnly()
            let (_, request, snapshot, query, _) = try await scheduler.placementInput(
                tx, message: message, constraints: constraints, lock: false)
            switch Placement.place(request, in: snapshot) {
            case .success(let plan):
                if let absent = plan.absentAgents(among: snapshot.agents) { return .waiting(absent) }
                return .placed(plan.placements.mapValues { $0.compactMap { snapshot.agents[$0] } })
            case .failure(let failure):
                switch try await scheduler.outlook(tx, request, failure: failure, query: query) {
                case .waitForRoom(let failure): return .waiting(failure)
                case .impossible(let failure): return .impossible(failure)
                }
            }
        }
    }
}
