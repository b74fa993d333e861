import Foundation
import PostgresNIO
@testable import Store
import TestSupport
import Testing

/// The queries every spec runs must be answerable from indexes: a sequential scan of `nodes`,
/// `edges` or `claims` makes each spec's cost grow with everything the cloud ever stored.
///
/// Each query is explained with sequential scans priced out (`enable_seqscan = off`): PostgreSQL
/// still plans one when no index can answer it, so a `Seq Scan` in the plan means "no index
/// fits", whatever the table's size.
@Suite("Hot queries", .enabled(if: IntegrationEnvironment.hasDatabase))
struct HotQueryTests {
    static let scheduled = "n0stack/n0core/resource/scheduled"

    static let growingTables: Set<String> = ["nodes", "edges", "claims", "events", "spec_versions"]

    /// The tables of `query`'s plan that it reads by a sequential scan.
    static func sequentialScans(_ query: PostgresQuery, in store: Store) async throws -> Set<String> {
        try await store.withTransaction { tx in
            try await tx.run("SET LOCAL enable_seqscan = off")
            let plan = try await tx.run(PostgresQuery(unsafeSQL: "EXPLAIN (FORMAT JSON) " + query.sql, binds: query.binds))
            let text = try plan.map { try $0.decode(String.self) }.joined()
            return Set(try Self.relationsScanned(sequentially: JSONSerialization.jsonObject(with: Data(text.utf8))))
        }
    }

    static func relationsScanned(sequentially plan: Any) -> [String] {
        if let list = plan as? [Any] { return list.flatMap(relationsScanned(sequentially:)) }
        guard let node = plan as? [String: Any] else { return [] }
        var found: [String] = []
        if node["Node Type"] as? String == "Seq Scan", let relation = node["Relation Name"] as? String {
            found.append(relation)
        }
        for (key, value) in node where key == "Plan" || key == "Plans" {
            found += relationsScanned(sequentially: value)
        }
        return found
    }

    @Test("a spec's graph, its agents' claims, the agents and the sweep are read through indexes")
    func hotQueriesUseIndexes() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let agents = [UUID(), UUID()]
            let queries: [(String, PostgresQuery)] = [
                ("spec edges", StoreTransaction.specEdgesQuery(7)),
                ("spec nodes", StoreTransaction.specNodesQuery(7, endpoints: agents)),
                ("claim totals", StoreTransaction.claimTotalsQuery(agents)),
                ("agents", StoreTransaction.agentsQuery(
                    .init(types: ["agent/compute/kvm", "agent/volumer/file"], including: [agents[0]], aliveWithinSeconds: 30),
                    lock: false)),
                ("a network's NICs and their agents", StoreTransaction.networkPortsQuery(
                    agents, portRelation: "n0stack/n0core/port/network", scheduledRelation: Self.scheduled)),
                ("where a spec's objects stand", StoreTransaction.latestObjectEventsQuery(specID: 7, kinds: [.scheduled, .applied])),
                ("the object a result is about", StoreTransaction.notifiedObjectQuery(agents[0], scheduledRelation: Self.scheduled)),
                ("sweep candidates", StoreTransaction.sweepCandidatesQuery(
                    olderThanSeconds: 30, scheduledRelation: Self.scheduled, limit: 1000)),
            ]
            let listings: [(String, PostgresQuery)] = [
                ("specs page", StoreTransaction.specsPageQuery(state: nil, before: 100, limit: 50)),
                ("specs page by state", StoreTransaction.specsPageQuery(state: .failed, before: nil, limit: 50)),
                ("spec placement counts", StoreTransaction.placementCountsQuery([1, 2])),
                ("agents page", StoreTransaction.agentsPageQuery(after: agents[0], limit: 50)),
                ("graph page", StoreTransaction.nodesPageQuery(after: nil, limit: 50)),
                ("graph page edges", StoreTransaction.edgesFromQuery(agents)),
            ]
            for (name, query) in queries + listings {
                let scans = try await Self.sequentialScans(query, in: store).intersection(Self.growingTables.union(["specs", "placements", "conductor_failures"]))
                #expect(scans.isEmpty, "\(name) scans \(scans.sorted()) sequentially")
            }
        }
    }

    @Test("the check sees a sequential scan where no index fits")
    func checkSeesSequentialScans() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let scans = try await Self.sequentialScans("SELECT id FROM nodes WHERE name = \("web")", in: store)
            #expect(scans == ["nodes"])
        }
    }

    @Test("claim totals follow claims as they are written, moved and released")
    func claimTotalsFollowClaims() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let a = UUID(), b = UUID()
            let vm = UUID(), volume = UUID(), other = UUID()
            try await store.withTransaction { tx in
                try await tx.upsertClaims([
                    Claim(objectID: vm, agentID: a, specID: 1, vcpus: 2, memoryBytes: 1 << 30, diskBytes: 0),
                    Claim(objectID: volume, agentID: a, specID: 1, vcpus: 0, memoryBytes: 0, diskBytes: 10 << 30),
                    Claim(objectID: other, agentID: b, specID: 2, vcpus: 1, memoryBytes: 512 << 20, diskBytes: 0),
                ])
            }
            var totals = try await store.withTransaction { tx in try await tx.claimTotals(agentIDs: [a, b]) }
            #expect(totals[a] == ClaimTotals(vcpus: 2, memoryBytes: 1 << 30, diskBytes: 10 << 30, count: 2))
            #expect(totals[b] == ClaimTotals(vcpus: 1, memoryBytes: 512 << 20, diskBytes: 0, count: 1))

            // The VM moves to b and grows; the other object is released.
            try await store.withTransaction { tx in
                try await tx.upsertClaims([Claim(objectID: vm, agentID: b, specID: 1, vcpus: 4, memoryBytes: 2 << 30, diskBytes: 0)])
                try await tx.deleteClaims(objectIDs: [other])
            }
            totals = try await store.withTransaction { tx in try await tx.claimTotals(agentIDs: [a, b]) }
            #expect(totals[a] == ClaimTotals(vcpus: 0, memoryBytes: 0, diskBytes: 10 << 30, count: 1))
            #expect(totals[b] == ClaimTotals(vcpus: 4, memoryBytes: 2 << 30, diskBytes: 0, count: 1))

            // A rolled-back claim leaves the totals as they were.
            await #expect(throws: CancellationError.self) {
                try await store.withTransaction { tx in
                    try await tx.upsertClaims([Claim(objectID: UUID(), agentID: a, specID: 3, vcpus: 8, memoryBytes: 0, diskBytes: 0)])
                    throw CancellationError()
                }
            }
            try await store.withTransaction { tx in try await tx.deleteClaims(objectIDs: [volume]) }
            totals = try await store.withTransaction { tx in try await tx.claimTotals(agentIDs: [a, b]) }
            #expect(totals[a] == nil, "an agent whose claims are all released has none")
            #expect(totals[b]?.count == 1)
        }
    }
}
