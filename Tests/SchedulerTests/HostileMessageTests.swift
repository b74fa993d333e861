import Broker
import Foundation
import Messages
import Scheduler
import Store
import TestSupport
import Testing

/// Forged and oversized `Spec` messages on the scheduler's queue (issue 15): dead-lettered with
/// their reason before they are decoded, or, when they decode, refused with a reason instead of
/// trapping the capacity arithmetic; the next good spec is scheduled.
@Suite("Scheduler hostile messages", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct HostileMessageTests {
    @Test func forgedSpecsAreRefusedAndTheNextSpecIsScheduled() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let host = ObjectID()
            let harness = SchedulerHarness(store: store, agents: Fixtures.host(host))
            try await harness.register()
            let good = try await harness.storeSpec(try Fixtures.vmWithVolumeDocument(vcpus: 1, memoryGB: 1))
            var forged = try await harness.storeSpec(try Fixtures.vmWithVolumeDocument(vcpus: 1, memoryGB: 1))
            for index in forged.spec.indices where forged.spec[index].type == .vmKVM { forged.spec[index].vcpus = .min }
            let negative = forged
            let (deadLetters, requests) = try await harness.run(watchDeadLetters: true) { publisher, inbox in
                var oversized = harness.outgoing(good)
                oversized.body = Array(#"{"id": 1, "spec": [], "padding": ""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 9 << 20)
                    + Array(#""}"#.utf8)
                var deep = harness.outgoing(good)
                deep.body = Array(HostileDocuments.deepJSON(100_000).utf8)
                for message in [oversized, deep, harness.outgoing(negative), harness.outgoing(good)] {
                    try await publisher.publish(message, timeout: .seconds(30))
                }
                try await waitUntil("the good spec's requests and two dead letters", within: .seconds(60)) {
                    inbox.requests(specID: good.id).count >= 2 && inbox.deadLettered.count >= 2
                }
                try await waitUntil("the forged spec's failure", within: .seconds(30)) {
                    try await store.events(specID: negative.id).contains { $0.kind == .failed }
                }
                return (inbox.deadLettered, inbox.requests(specID: good.id))
            }
            #expect(requests.count == 2)
            let reasons = deadLetters.compactMap { $0.headers[Delivery.deadLetterReasonHeader] }
            #expect(reasons.contains("undecodable Spec: the document is larger than 8388608 bytes"), "\(reasons)")
            #expect(reasons.contains { $0.hasPrefix("undecodable Spec: line 1, column 351: mappings and lists nest deeper than 64") },
                    "\(reasons)")
            let failed = try await store.events(specID: negative.id).filter { $0.kind == .failed }
            #expect(failed.contains { $0.message.contains("asks for a negative amount (vcpus -9223372036854775808") },
                    "\(failed.map(\.message))")
            let objectIDs = negative.spec.compactMap(\.id?.uuid)
            #expect(try await store.withTransaction { tx in try await tx.claims(objectIDs: objectIDs) }.isEmpty,
                    "nothing was claimed for it")
        }
    }
}
