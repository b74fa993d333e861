/// A message the conductor can never process as it is (undecodable, an unexpected type, a
/// result for a spec or object that does not exist): it goes to the dead-letter queue with this
/// reason instead of being retried, and nothing of it is recorded.
struct IncomingRejection: Error, Sendable, Equatable, CustomStringConvertible {
    var reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    var description: String { reason }
}
