/// Which broker node a connection worker tries next, and when a round of them has failed.
///
/// Nodes are tried in the configured order, starting after the one that failed or was lost, so
/// a dead node is the last one tried again rather than the first. A round ends when every node
/// has been tried once without success; only then does the worker wait out its backoff, so a
/// live node is reached without delay while one node is down. With a single node every
/// failure ends a round, which is exactly the behaviour of a worker with one URL.
struct NodeRotation: Sendable, Equatable {
    let count: Int
    /// The index of the node to try next (or the one connected to).
    private(set) var current = 0
    private var failedInRound = 0

    init(count: Int) {
        precondition(count > 0, "a broker needs at least one node")
        self.count = count
    }

    /// The attempt on ``current`` failed: moves on to the next node. Returns whether that ended
    /// a round, so the caller backs off before trying again.
    mutating func attemptFailed() -> Bool {
        current = (current + 1) % count
        failedInRound += 1
        guard failedInRound == count else { return false }
        failedInRound = 0
        return true
    }

    /// Connected to ``current``: the next round starts afresh.
    mutating func connected() {
        failedInRound = 0
    }

    /// The connection to ``current`` broke: the next attempt goes to the node after it.
    mutating func connectionLost() {
        current = (current + 1) % count
        failedInRound = 0
    }
}
