import Foundation
import Logging
import Messages
import TestSupport
import Testing

@testable import AgentRuntime

/// Early Notifies are kept (bounded, expiring, across restarts) and wake waiting requests.
@Suite struct DependencyBoardTests {
    func notify(_ id: ObjectID, level: NotifyLevel = .success, url: String? = "file:///v") -> NotifyMessage {
        NotifyMessage(specID: 1, message: "m", level: level, object: Object(type: .volumeFile, id: id, url: url))
    }

    @Test func cacheKeepsTheLatestPerObjectWithinItsLimitAndLifetime() {
        var cache = NotifyCache(limit: 2, lifetime: .seconds(60))
        let (a, b, c) = (ObjectID(), ObjectID(), ObjectID())
        let start = Date()
        #expect(cache.insert(notify(a), at: start).isEmpty)
        #expect(cache.insert(notify(b, level: .error), at: start + 1).isEmpty)
        #expect(cache.reportedObjects([a, b], at: start + 2).keys.sorted() == [a], "failures fill nothing in")
        #expect(cache.failure(of: b)?.level == .error)
        #expect(cache.insert(notify(c), at: start + 3) == [a], "the oldest goes first")
        #expect(cache.reportedObjects([a, c], at: start + 4).keys.sorted() == [c])
        #expect(cache.reportedObjects([c], at: start + 64).isEmpty, "an expired report is not used")
        #expect(cache.expire(at: start + 70).sorted() == [b, c].sorted())
        #expect(cache.entries.isEmpty)
    }

    @Test func waitEndsWhenAnAwaitedObjectIsReported() async throws {
        let board = DependencyBoard(limit: 10, lifetime: .seconds(60), directory: nil, logger: Logger(label: "test"))
        let id = ObjectID()
        let before = await board.snapshot(of: [id])
        #expect(before.reported.isEmpty)
        async let outcome = board.waitForReport(on: [id], after: before.sequence, until: .now + .seconds(30))
        try await poll("the waiter", every: .milliseconds(20)) { await board.waitingCount == 1 ? true : nil }
        await board.record(notify(ObjectID()))
        #expect(await board.waitingCount == 1, "another object's report does not wake it")
        await board.record(notify(id))
        #expect(await outcome == .reported)
        #expect(await board.snapshot(of: [id]).reported[id]?.url == "file:///v")
    }

    @Test func aReportBetweenLookingAndWaitingIsNotMissed() async {
        let board = DependencyBoard(limit: 10, lifetime: .seconds(60), directory: nil, logger: Logger(label: "test"))
        let id = ObjectID()
        let snapshot = await board.snapshot(of: [id])
        await board.record(notify(id))
        #expect(await board.waitForReport(on: [id], after: snapshot.sequence, until: .now + .seconds(30)) == .reported)
    }

    @Test func waitEndsAtItsDeadlineOrWhenTheBoardStops() async {
        let board = DependencyBoard(limit: 10, lifetime: .seconds(60), directory: nil, logger: Logger(label: "test"))
        #expect(await board.waitForReport(on: [ObjectID()], after: 0, until: .now + .milliseconds(50)) == .deadlinePassed)
        async let stopped = board.waitForReport(on: [ObjectID()], after: 0, until: .now + .seconds(30))
        while await board.waitingCount == 0 { await Task.yield() }
        await board.stop()
        #expect(await stopped == .stopped)
        #expect(await board.waitForReport(on: [ObjectID()], after: 0, until: .now + .seconds(30)) == .stopped)
    }

    @Test func cancellingTheWaitingTaskEndsItsWait() async {
        let board = DependencyBoard(limit: 10, lifetime: .seconds(60), directory: nil, logger: Logger(label: "test"))
        let task = Task { await board.waitForReport(on: [ObjectID()], after: 0, until: .now + .seconds(30)) }
        while await board.waitingCount == 0 { await Task.yield() }
        task.cancel()
        #expect(await task.value == .stopped)
        #expect(await board.waitingCount == 0)
    }

    @Test func reportsSurviveARestartRedacted() async throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory() + "n0core-board-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let id = ObjectID()
        var vm = NotifyMessage(specID: 3, message: "ok", level: .success,
                               object: Object(type: .vmKVM, id: id, vncPassword: "hogehoge"))
        let first = DependencyBoard(limit: 10, lifetime: .seconds(60), directory: directory, logger: Logger(label: "test"))
        await first.record(vm)
        let second = DependencyBoard(limit: 10, lifetime: .seconds(60), directory: directory, logger: Logger(label: "test"))
        vm.object.vncPassword = Object.passwordMask
        #expect(await second.snapshot(of: [id]).reported[id] == vm.object)
        let onDisk = try String(contentsOf: directory.appendingPathComponent("\(id).json"), encoding: .utf8)
        #expect(!onDisk.contains("hogehoge"))
    }
}
