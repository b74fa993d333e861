import Broker
import Foundation
import Messages
import Scheduler
import Store
import TestSupport
import Testing

/// Messages the scheduler cannot act on go to the dead-letter queue with their reason, change
/// nothing, and do not stop the next spec.
@Suite("Scheduler dead letters", .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct DeadLetterTests {
    @Test func badMessagesAreDeadLetteredWithTheirReasonAndTheNextSpecIsScheduled() async throws {
        _ = try IntegrationEnvironment.requireBroker()
        _ = try IntegrationEnvironment.requireDatabase()
        try await IntegrationEnvironment.withIsolatedStore { store in
            let harness = SchedulerHarness(store: store, agents: Fixtures.host(ObjectID()))
            try await harness.register()
            let good = try await harness.storeSpec(try ConcurrentSchedulingTests.document(0))
            let unknownSpec = Int64.max - Int64.random(in: 0..<1_000_000)
            let (deadLetters, requests) = try await harness.run(watchDeadLetters: true) { publisher, inbox in
                var garbage = harness.outgoing(good)
                garbage.body = Array("{not json".utf8)
                var notify = harness.outgoing(good)
                notify.type = MessageType.notify.rawValue
                var unknown = harness.outgoing(SpecMessage(id: unknownSpec, version: 0, spec: good.spec))
                unknown.messageID = UUID().uuidString.lowercased()
                var noID = harness.outgoing(good)
                noID.messageID = "not-a-uuid"
                for message in [garbage, notify, unknown, noID, harness.outgoing(good)] {
                    try await publisher.publish(message, timeout: .seconds(10))
                }
                try await waitUntil("the good spec's requests and four dead letters", within: .seconds(30)) {
                    inbox.requests(specID: good.id).count >= 2 && inbox.deadLettered.count >= 4
                }
                return (inbox.deadLettered, inbox.requests(specID: good.id))
            }
            #expect(requests.count == 2)
            let reasons = deadLetters.compactMap { $0.headers[Delivery.deadLetterReasonHeader] }
            #expect(reasons.count == 4)
            #expect(reasons.contains { $0.hasPrefix("undecodable Spec: not valid JSON") })
            #expect(reasons.contains("the scheduler takes Spec messages, not Notify"))
            #expect(reasons.contains("spec \(unknownSpec) does not exist"))
            #expect(reasons.contains("a Spec needs a UUID message_id to be recognised when redelivered; got 'not-a-uuid'"))
            #expect(try await store.events(specID: unknownSpec).isEmpty)
        }
    }
}
