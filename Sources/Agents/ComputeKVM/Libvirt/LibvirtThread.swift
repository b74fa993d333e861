import Foundation

/// One dedicated thread that makes every libvirt call of a connection, in order.
///
/// libvirt calls block (a managed save takes as long as writing the guest's memory), and the
/// error of a failed call is kept per thread, so each call and the reading of its error run
/// together on this thread; async code hands work over with ``run(_:)`` and is resumed with
/// the result, never blocking a task of the cooperative pool.
final class LibvirtThread: @unchecked Sendable {
    // @unchecked Sendable: `jobs` and `stopping` are only touched with `condition` locked.

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns its result; throws what it throws, or
    /// ``LibvirtError`` when the thread has been stopped.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let accepted = enqueue { continuation.resume(with: Swift.Result { try body() }) }
            if !accepted {
                continuation.resume(throwing: LibvirtError(
                    operation: "close", code: 0, message: "the libvirt connection has been closed"))
            }
        }
    }

    /// Lets the queued calls finish, then ends the thread after running `last` on it.
    func stop(after last: @escaping @Sendable () -> Void) {
        condition.lock()
        if !stopping {
            jobs.append(last)
            stopping = true
        }
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ job: @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            let batch = jobs
            jobs.removeAll()
            let done = stopping
            condition.unlock()
            for job in batch { job() }
            // `stop` queues its last job and sets `stopping` together, so this batch held it.
            if done { return }
        }
    }
}
