import Foundation
import MessageHandling
import Messages
import Store
import Testing

@testable import Conductor

/// Results recorded as a batch in one transaction, and each alone when the batch fails.
@Suite struct BatchRecordingTests {
    typealias World = RecordingTests.World

    func item(_ notify: NotifyMessage, messageID: UUID = UUID()) -> ResultRecorder.Item {
        ResultRecorder.Item(notify: notify, messageID: messageID, trace: nil)
    }

    @Test func aBatchRecordsEveryResultAndAppliesTheVersionOnce() async throws {
        let world = World()
        let results = await world.recorder.record([
            item(world.notify(world.vm, .success)), item(world.notify(world.other, .success)),
        ])
        #expect(results.map { try? $0.get() } == [.applied(versionApplied: false), .applied(versionApplied: true)])
        #expect(world.versionState == .applied)
        #expect(world.events(.applied).count == 3, "two objects and the version")
    }

    /// A result that can never be recorded fails alone: its writes (its message marked as
    /// processed among them) are undone, and the others of its batch are recorded.
    @Test func aBadResultFailsAloneAndLeavesNoTrace() async throws {
        let world = World()
        let badID = UUID()
        var stranger = world.notify(ObjectID(), .success)
        stranger.specID = world.specID
        let results = await world.recorder.record([
            item(world.notify(world.vm, .success)), item(stranger, messageID: badID), item(world.notify(world.other, .success)),
        ])
        #expect((try? results[0].get()) == .applied(versionApplied: false))
        #expect(throws: MessageRejection.self) { try results[1].get() }
        #expect((try? results[2].get()) == .applied(versionApplied: true))
        #expect(world.versionState == .applied)
        #expect(!world.repository.withState { $0.processed.contains("\(ResultRecorder.consumerName)/\(badID)") },
                "the rejected result's processed mark was rolled back with it")
    }

    /// Two copies of one result in a batch (published twice): the second is a duplicate.
    @Test func aRepeatInTheSameBatchIsADuplicate() async throws {
        let world = World()
        let id = UUID()
        let results = await world.recorder.record([
            item(world.notify(world.vm, .success), messageID: id), item(world.notify(world.vm, .success), messageID: id),
        ])
        #expect(results.map { try? $0.get() } == [.applied(versionApplied: false), .duplicate])
        #expect(world.events(.applied).count == 1)
    }
}
