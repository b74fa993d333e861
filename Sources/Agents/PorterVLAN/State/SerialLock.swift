/// Runs one operation at a time. The runtime serialises requests per object, but a NIC and its
/// network (or two NICs on one network) share a hosts file and a dnsmasq, and each porter
/// operation takes milliseconds, so the porter simply does one thing at a time.
actor SerialLock {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer { handOver() }
        return try await body()
    }

    /// Passes the lock to the next waiter, or frees it.
    private func handOver() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
