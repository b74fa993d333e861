/// How handling one delivery ended, and so how the ``MessageDispatcher`` settles it.
///
/// The cases say *why*, not which AMQP call to make: the dispatcher owns acknowledging,
/// retrying, pausing and dead-lettering, so every service settles the same way.
public enum Disposition: Sendable, Equatable {
    /// The effect is committed (or was already): acknowledge.
    case done
    /// The message can never be processed: move it to the dead-letter queue with the reason.
    case deadLetter(reason: String)
    /// A passing failure of this message's handling (a lost race, a serialization failure):
    /// handle it again after a pause, in place, up to ``RetryPolicy/maxAttempts`` times; then
    /// it is dead-lettered with the last reason.
    case retry(reason: String)
    /// Something every message needs is down (the database): stop taking deliveries, and handle
    /// this one again once ``OutageGate`` reports it back. Costs no attempt and no redelivery.
    case pause(reason: String)
    /// Leave the delivery unsettled: the broker gives it to a consumer again (the service is
    /// stopping, or the delivery's connection is gone).
    case abandon
}

extension Disposition {
    /// The label of the outcome in metrics and logs.
    public var outcome: String {
        switch self {
        case .done: "done"
        case .deadLetter: "dead_lettered"
        case .retry: "retried"
        case .pause: "paused"
        case .abandon: "abandoned"
        }
    }
}
