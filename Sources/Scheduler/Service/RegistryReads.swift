import Store
import Synchronization

/// The agents' registry rows one transaction has read, by query: the specs of one batch share
/// them instead of each reading every candidate agent again. Claims are not kept (each spec's
/// claims change the next one's), and the agents a plan claims on are read again under their
/// row locks before it is written, so a row read earlier in the batch never overcommits.
final class RegistryReads: Sendable {
    private let rows = Mutex<[String: [AgentRegistration]]>([:])

    /// The rows `query` selects, read once per transaction.
    func registrations(_ query: StoreTransaction.AgentQuery, in tx: StoreTransaction) async throws -> [AgentRegistration] {
        let key = Self.key(query)
        if let read = rows.withLock({ $0[key] }) { return read }
        let read = try await tx.agents(query)
        rows.withLock { $0[key] = read }
        return read
    }

    static func key(_ query: StoreTransaction.AgentQuery) -> String {
        [
            query.types.sorted().joined(separator: ","), query.hostID ?? "-",
            query.only.map { $0.map(\.uuidString).sorted().joined(separator: ",") } ?? "-",
            query.including.map(\.uuidString).sorted().joined(separator: ","), "\(query.aliveWithinSeconds)",
            "\(query.includeDead)", "\(query.includeDraining)",
        ].joined(separator: "|")
    }
}
