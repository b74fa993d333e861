/// One holder per key at a time, first come first served: two versions of one object are never
/// applied at once, while different objects are applied in parallel.
public actor KeyedLock<Key: Hashable & Sendable> {
    public init() {}

    private var held: Set<Key> = []
    private var queued: [Key: [CheckedContinuation<Void, Never>]] = [:]

    public func lock(_ key: Key) async {
        guard held.contains(key) else {
            held.insert(key)
            return
        }
        await withCheckedContinuation { queued[key, default: []].append($0) }
    }

    /// Hands the key to the next waiter, or frees it.
    public func unlock(_ key: Key) {
        if var waiting = queued[key], !waiting.isEmpty {
            let next = waiting.removeFirst()
            queued[key] = waiting.isEmpty ? nil : waiting
            next.resume()
        } else {
            held.remove(key)
        }
    }

    public func withLock<Result: Sendable>(_ key: Key, _ body: @Sendable () async throws -> Result) async rethrows -> Result {
        await lock(key)
        do {
            let result = try await body()
            unlock(key)
            return result
        } catch {
            unlock(key)
            throw error
        }
    }
}
