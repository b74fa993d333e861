import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

@Suite("Spec versions", .enabled(if: IntegrationEnvironment.hasDatabase))
struct SpecTests {
    static let annotations = #"{"n0stack/scheduling/same_host": true, "n0stack/scheduling/host_id": "85cf3a3a-18e4-4fe2-b406-9e79079cae07"}"#
    static let submitted = #"""
        {"version": 0, "spec": {"web": {"type": "resource/vm/kvm", "vcpus": 2, "memory": "4gb",
         "dependencies": [{"object": {"variable": "var_network"}, "property": {"r": "n0stack/n0core/port/network"}}]},
         "var_network": {"type": "resource/network/vlan", "parameters": {"vlan_id": 100}}}}
        """#
    static let resolved = #"""
        {"spec": {"web": {"type": "resource/vm/kvm", "id": "56410722-d507-472a-a800-c89211b7c261",
         "status": "running", "name": "web", "vcpus": 2, "memory": "4gb", "ratio": 0.5, "nothing": null}}}
        """#

    static func document(_ n: Int = 0) -> NewSpecVersion {
        NewSpecVersion(annotations: annotations, submitted: submitted, resolved: #"{"generation": \#(n)}"#)
    }

    @Test func writtenVersionReadsBackWithItsOutboxRow() async throws {
        // A schema of its own: relays of other suites publish (and mark sent) unsent rows of the shared one.
        try await IntegrationEnvironment.withIsolatedStore(maximumConnections: 8) { store in
            let messageID = UUID()
            let new = NewSpecVersion(annotations: Self.annotations, submitted: Self.submitted, resolved: Self.resolved)
            let created = try await store.createSpec(new) { specID in
                [OutboxMessage(
                    exchange: "n0core", routingKey: "scheduler", messageType: "Spec", messageID: messageID,
                    correlationID: "\(specID)", headers: ["traceparent": "00-abc-def-01"],
                    body: Data(#"{"id": \#(specID)}"#.utf8))]
            }

            let record = try #require(try await store.specVersion(created.specID))
            #expect(record.specID == created.specID)
            #expect(record.version == StoreTransaction.firstVersion)
            #expect(record.state == .pending)
            #expect(record.reason == nil)
            #expect(abs(record.createdAt.timeIntervalSince(created.createdAt)) < 0.001)
            #expect(try JSONValue(record.annotations) == JSONValue(Self.annotations))
            #expect(try JSONValue(record.submitted) == JSONValue(Self.submitted))
            #expect(try JSONValue(record.resolved) == JSONValue(Self.resolved))
            #expect(try await store.specVersion(created.specID, version: 0) == record)

            let head = try #require(try await store.spec(created.specID))
            #expect(head.latestVersion == 0)
            #expect(head.state == .pending)

            let rows = try await store.client.query("""
                SELECT correlation_id, message_type, routing_key, body, headers::text, sent_at IS NULL
                FROM outbox WHERE message_id = \(messageID)
                """).collect()
            #expect(rows.count == 1)
            let (correlationID, type, routingKey, body, headers, unsent) =
                try rows[0].decode((String, String, String, Data, String, Bool).self)
            #expect(correlationID == "\(created.specID)")
            #expect(type == "Spec")
            #expect(routingKey == "scheduler")
            #expect(String(decoding: body, as: UTF8.self) == #"{"id": \#(created.specID)}"#)
            #expect(try JSONValue(headers) == JSONValue(#"{"traceparent": "00-abc-def-01"}"#))
            #expect(unsent)
        }
    }

    @Test func versionsAppendInOrderAndStateFollowsTheLatest() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let specID = try await store.createSpec(Self.document(0)).specID
            try await store.setState(.applied, specID: specID, version: 0)
            #expect(try await store.spec(specID)?.state == .applied)

            try await store.appendVersion(specID: specID, version: 1, Self.document(1))
            #expect(try await store.spec(specID)?.state == .pending)
            #expect(try await store.spec(specID)?.latestVersion == 1)
            #expect(try await store.specVersion(specID)?.version == 1)
            #expect(try await store.specVersion(specID, version: 0)?.state == .applied)
            #expect(try await store.specVersions(specID).map(\.version) == [0, 1])
            #expect(try await store.specVersion(specID, version: 7) == nil)

            // A late failure of the old version leaves the spec's state to the latest version.
            try await store.setState(.failed, specID: specID, version: 0, reason: "late")
            #expect(try await store.spec(specID)?.state == .pending)
            try await store.setState(.failed, specID: specID, version: 1, reason: "no agent")
            #expect(try await store.spec(specID)?.state == .failed)
            #expect(try await store.specVersion(specID)?.reason == "no agent")

            await #expect(throws: StoreError.notFound("spec \(specID) version 9")) {
                try await store.setState(.applied, specID: specID, version: 9)
            }
        }
    }

    @Test func staleAndMissingWritesAreRefused() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let specID = try await store.createSpec(Self.document()).specID
            await #expect(throws: StoreError.versionConflict(specID: specID, expected: 4, actual: 0)) {
                try await store.appendVersion(specID: specID, version: 5, Self.document())
            }
            await #expect(throws: StoreError.versionConflict(specID: specID, expected: -1, actual: 0)) {
                try await store.appendVersion(specID: specID, version: 0, Self.document())
            }
            await #expect(throws: StoreError.notFound("spec \(Int64.max)")) {
                try await store.appendVersion(specID: .max, version: 1, Self.document())
            }
            #expect(try await store.specVersion(.max) == nil)
            #expect(try await store.specVersions(.max).isEmpty)
        }
    }

    @Test func concurrentWritersOfTheSameVersionOneWins() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let specID = try await store.createSpec(Self.document()).specID
            for version in 1...8 {
                async let first = Result(awaiting: { try await store.appendVersion(specID: specID, version: version, Self.document(version)) })
                async let second = Result(awaiting: { try await store.appendVersion(specID: specID, version: version, Self.document(-version)) })
                let results = await [first, second]
                let wins = results.filter { if case .success = $0 { true } else { false } }
                #expect(wins.count == 1, "round \(version)")
                for case let .failure(error) in results {
                    #expect(error as? StoreError == .versionConflict(specID: specID, expected: version - 1, actual: version))
                }
            }
            #expect(try await store.specVersions(specID).map(\.version) == Array(0...8))
        }
    }

    @Test func aThrowingTransactionLeavesNothing() async throws {
        struct Abandon: Error {}
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            let messageID = UUID()
            var createdID: Int64?
            await #expect(throws: Abandon.self) {
                try await store.withTransaction { tx in
                    let created = try await tx.createSpec(Self.document()) { specID in
                        [OutboxMessage(exchange: "n0core", routingKey: "scheduler", messageType: "Spec",
                                       messageID: messageID, body: Data("{}".utf8))]
                    }
                    createdID = created.specID
                    throw Abandon()
                }
            }
            let specID = try #require(createdID)
            #expect(try await store.spec(specID) == nil)
            #expect(try await store.specVersion(specID) == nil)
            let rows = try await store.client.query("SELECT 1 FROM outbox WHERE message_id = \(messageID)").collect()
            #expect(rows.isEmpty)
        }
    }

    @Test func invalidJSONIsReportedAsSuch() async throws {
        try await IntegrationEnvironment.withStore(maximumConnections: 8) { store in
            await #expect {
                try await store.createSpec(NewSpecVersion(submitted: "{not json", resolved: "{}"))
            } throws: { error in
                if case .invalidDocument = error as? StoreError { true } else { false }
            }
        }
    }
}

extension Result where Failure == any Error {
    init(awaiting body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
