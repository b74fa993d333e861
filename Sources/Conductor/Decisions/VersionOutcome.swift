import Foundation

/// Whether a spec version is done: applied when every one of its objects is, failed as soon as
/// one of them is given up on, pending otherwise.
///
/// A version's objects are those whose latest `SCHEDULED` event names it (the contract: a
/// `Notify` carries only the spec id, and a later version sends only the objects it changes).
/// An object whose desired state is `deleted` counts as applied when its agent reported the
/// deletion done, like any other result.
enum VersionOutcome: Sendable, Equatable {
    case pending
    case applied(objects: Int)
    case failed(reason: String)

    static func decide(version: Int, statuses: some Collection<ObjectStatus>) -> VersionOutcome {
        let objects = statuses.filter { $0.version == version }.sorted { $0.since < $1.since }
        guard !objects.isEmpty else { return .pending }
        if let failed = objects.first(where: { $0.state == .failed }) {
            return .failed(reason: failed.message)
        }
        if objects.allSatisfy({ $0.state == .applied }) {
            return .applied(objects: objects.count)
        }
        return .pending
    }
}
