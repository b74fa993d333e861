import Foundation
import Store
import TestSupport
import Testing

/// Where each of a spec's objects stands, read as one event per object instead of the whole log.
@Suite("Latest event per object", .enabled(if: IntegrationEnvironment.hasDatabase))
struct LatestObjectEventsTests {
    @Test func oneEventPerObjectAsTheWholeLogDecides() async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let kinds: [EventKind] = [.scheduled, .applied, .rescheduled, .failed]
            for seed in UInt64(1)...8 {
                var random = SeededGenerator(seed: seed)
                let specID = Int64(100 + seed)
                let objects = (0..<(1 + random.next(4))).map { _ in UUID() }
                let all: [EventKind] = kinds + [.waiting, .abandoned, "ACCEPTED"]
                var events: [Event] = []
                for index in 0..<(5 + random.next(40)) {
                    let version = max(0, index / 8 - random.next(2))
                    let object = random.next(6) == 0 ? nil : objects[random.next(objects.count)]
                    events.append(Event(specID: specID, version: version, objectID: object,
                                        kind: all[random.next(all.count)], message: "\(index)"))
                }
                // Another spec's events are not this one's.
                events.append(Event(specID: specID + 1000, version: 9, objectID: objects[0], kind: .failed))
                try await store.appendEvents(events)

                let stored = try await store.events(specID: specID)
                let latest = try await store.withTransaction { tx in try await tx.latestObjectEvents(specID: specID, kinds: kinds) }
                #expect(latest == EventLog.latestPerObject(stored, kinds: kinds), "seed \(seed)")
            }
        }
    }
}
