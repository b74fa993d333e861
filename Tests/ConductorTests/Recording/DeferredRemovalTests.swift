import Foundation
import Logging
import Messages
import Store
import Testing

@testable import Conductor

/// A volume moved off a draining host: the removal of the copy it was made from is held back
/// until the new copy is applied at the move's attempt, then sent once.
@Suite struct DeferredRemovalTests {
    static let logger = Logger(label: "n0core.conductor.deferred.tests")

    @Test func theOldCopyIsRemovedOnlyOnceTheMovedVolumeIsApplied() async throws {
        let repository = InMemoryConductorRepository()
        let (specID, volume, newVolumer, oldVolumer) = (Int64(1), ObjectID(), ObjectID(), ObjectID())
        let removal = OutboxMessage(exchange: "n0core", routingKey: oldVolumer.description, messageType: "Request",
                                    body: Data("{}".utf8))
        repository.withState { state in
            state.specs[specID] = 0
            state.versions[specID] = [0: SpecVersionRecord(
                specID: specID, version: 0, annotations: "{}", submitted: "{}", resolved: "{}", state: .applied,
                reason: nil, createdAt: state.now)]
            let object = Object(type: .volumeFile, id: volume, name: "disk", desiredState: "allocated", size: Size(1, .gb))
            state.nodes[volume.uuid] = GraphNode(
                id: volume.uuid, type: ObjectType.volumeFile.rawValue, name: "disk", specID: specID, desiredState: "allocated",
                object: MessageCodec.encodeString(object, format: .json))
            state.scheduled[volume.uuid] = [newVolumer.uuid]
            state.placements[volume.uuid] = PlacementRecord(
                objectID: volume.uuid, specID: specID, version: 0, attempt: 2, phase: .scheduled, phaseSince: state.now)
            state.deferredRemovals = [DeferredRemoval(objectID: volume.uuid, agentID: oldVolumer.uuid, attempt: 2,
                                                      specID: specID, message: removal)]
        }
        let recorder = ResultRecorder(store: repository, failures: FailureRecorder(maxAttempts: 3, logger: Self.logger),
                                      logger: Self.logger)
        func notify(_ level: NotifyLevel, attempt: Int) -> NotifyMessage {
            NotifyMessage(specID: specID, message: "done", level: level,
                          object: Object(type: .volumeFile, id: volume, name: "disk", desiredState: "allocated",
                                         url: "file:///v/\(volume)",
                                         dependencies: [.scheduled(on: Object(type: .agentVolumerFile, id: newVolumer))]),
                          attempt: attempt)
        }
        // Progress of the copy sends nothing.
        _ = try await recorder.record(notify(.info, attempt: 2), messageID: UUID(), trace: nil)
        #expect(repository.withState { $0.outbox }.isEmpty)
        #expect(repository.withState { $0.deferredRemovals.count } == 1)

        // The copy is applied: the old volumer's removal goes out, once.
        #expect(try await recorder.record(notify(.success, attempt: 2), messageID: UUID(), trace: nil) == .applied(versionApplied: false))
        #expect(repository.withState { $0.outbox } == [removal])
        #expect(repository.withState { $0.deferredRemovals }.isEmpty)
        let released = repository.withState { $0.events.filter { $0.kind == .abandoned } }
        #expect(released.count == 1 && released[0].message.contains("removes the copy this volume was moved from"))
        _ = try await recorder.record(notify(.success, attempt: 2), messageID: UUID(), trace: nil)
        #expect(repository.withState { $0.outbox } == [removal])
    }
}
