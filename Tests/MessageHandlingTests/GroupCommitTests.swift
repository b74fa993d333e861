import MessageHandling
import Synchronization
import Testing

/// Items submitted while a batch runs form the next batch; each caller gets its own outcome.
@Suite("Group commit")
struct GroupCommitTests {
    struct Refused: Error, Equatable { let item: Int }

    /// Records each batch; the first batch waits until the test opens `gate`.
    final class Recorder: Sendable {
        let batches = Mutex<[[Int]]>([])
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let firstStarted = Mutex(false)

        func run(_ items: [Int], failing: Set<Int> = [], throwing: Set<Int> = []) async throws -> [Result<Int, any Error>] {
            let isFirst = batches.withLock { batches in
                batches.append(items)
                return batches.count == 1
            }
            if isFirst {
                await withCheckedContinuation { continuation in
                    gate.withLock { $0 = continuation }
                    firstStarted.withLock { $0 = true }
                }
            }
            if items.contains(where: throwing.contains) { throw Refused(item: -1) }
            return items.map { failing.contains($0) ? .failure(Refused(item: $0)) : .success($0 * 10) }
        }

        func waitUntilFirstStarted() async {
            while !firstStarted.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(2)) }
        }

        func open() { gate.withLock { $0?.resume(); $0 = nil } }
    }

    /// Starts `items[0]`, waits until its batch runs, submits the rest while it is held, then
    /// lets it go; returns each item's outcome.
    func submitWhileTheFirstBatchIsHeld(
        _ items: [Int], into commit: GroupCommit<Int, Int>, recorder: Recorder
    ) async -> [Int: Result<Int, Refused>] {
        await withTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
            let submit: @Sendable (Int) async -> (Int, Result<Int, Refused>) = { item in
                do {
                    return (item, .success(try await commit.submit(item)))
                } catch {
                    return (item, .failure(error as! Refused))
                }
            }
            group.addTask { await submit(items[0]) }
            await recorder.waitUntilFirstStarted()
            for item in items.dropFirst() { group.addTask { await submit(item) } }
            // Every later submission is waiting before the first batch ends.
            while commit.waitingCount < items.count - 1 {
                try? await Task.sleep(for: .milliseconds(2))
            }
            recorder.open()
            var outcomes: [Int: Result<Int, Refused>] = [:]
            for await (item, outcome) in group { outcomes[item] = outcome }
            return outcomes
        }
    }

    @Test func itemsArrivingDuringABatchAreHandledTogetherNext() async throws {
        let recorder = Recorder()
        let commit = GroupCommit<Int, Int>(queue: "test", maximumBatch: 16) { try await recorder.run($0) }
        let outcomes = await submitWhileTheFirstBatchIsHeld(Array(1...6), into: commit, recorder: recorder)
        #expect(outcomes.mapValues { try? $0.get() } == [1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60])
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.first == [1])
        #expect(batches.dropFirst().flatMap { $0 }.sorted() == [2, 3, 4, 5, 6])
        #expect(batches.count == 2, "the five that waited share one batch: \(batches)")
    }

    @Test func aBatchHoldsAtMostTheMaximum() async throws {
        let recorder = Recorder()
        let commit = GroupCommit<Int, Int>(queue: "test", maximumBatch: 3) { try await recorder.run($0) }
        let outcomes = await submitWhileTheFirstBatchIsHeld(Array(1...8), into: commit, recorder: recorder)
        #expect(outcomes.count == 8)
        #expect(outcomes.values.allSatisfy { (try? $0.get()) != nil })
        let batches = recorder.batches.withLock { $0 }
        #expect(batches.allSatisfy { $0.count <= 3 }, "\(batches)")
        #expect(batches.flatMap { $0 }.sorted() == Array(1...8))
    }

    @Test func oneItemsFailureFailsOnlyItsCaller() async throws {
        let recorder = Recorder()
        let commit = GroupCommit<Int, Int>(queue: "test", maximumBatch: 16) { try await recorder.run($0, failing: [4]) }
        let outcomes = await submitWhileTheFirstBatchIsHeld(Array(1...6), into: commit, recorder: recorder)
        #expect(outcomes[4] == .failure(Refused(item: 4)))
        for item in [1, 2, 3, 5, 6] { #expect(outcomes[item] == .success(item * 10)) }
    }

    @Test func aThrownErrorFailsItsWholeBatchAndTheNextStillRuns() async throws {
        let recorder = Recorder()
        let commit = GroupCommit<Int, Int>(queue: "test", maximumBatch: 16) { try await recorder.run($0, throwing: [1]) }
        let outcomes = await submitWhileTheFirstBatchIsHeld(Array(1...4), into: commit, recorder: recorder)
        #expect(outcomes[1] == .failure(Refused(item: -1)))
        for item in 2...4 { #expect(outcomes[item] == .success(item * 10)) }
        // After the runs have ended, a new item is handled at once, alone.
        #expect(try await commit.submit(9) == 90)
        #expect(recorder.batches.withLock { $0.last } == [9])
    }

    /// With two batches allowed at once, a third waits until one of them ends.
    @Test func noMoreBatchesRunAtOnceThanAllowed() async throws {
        final class Held: Sendable {
            let running = Mutex(0)
            let mostAtOnce = Mutex(0)
            let released = Mutex(false)
        }
        let held = Held()
        let commit = GroupCommit<Int, Int>(queue: "test", maximumBatch: 1, maximumConcurrentBatches: 2) { items in
            let now = held.running.withLock { $0 += 1; return $0 }
            held.mostAtOnce.withLock { $0 = max($0, now) }
            while !held.released.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
            held.running.withLock { $0 -= 1 }
            return items.map { .success($0) }
        }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for item in 1...6 { group.addTask { try await commit.submit(item) } }
            while held.running.withLock({ $0 }) < 2 || commit.waitingCount < 4 {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await Task.sleep(for: .milliseconds(50))
            #expect(held.running.withLock { $0 } == 2)
            held.released.withLock { $0 = true }
            var outcomes: [Int] = []
            for try await outcome in group { outcomes.append(outcome) }
            #expect(outcomes.sorted() == Array(1...6))
        }
        #expect(held.mostAtOnce.withLock { $0 } == 2)
    }
}
