import Broker
import Messages
import ServiceSupport
import W3CTraceContext

/// The messages addressed to the scheduler, built only here so no other service spells its
/// routing key (as Nova's `scheduler/rpcapi.py`).
public enum SchedulerClient {
    /// The scheduler's queue and routing key.
    public static let queue = "scheduler"

    /// What a sender declares before publishing here, so a `Spec` sent before any scheduler
    /// has started waits in the durable queue instead of being unroutable.
    public static let topology = Topology().declaringQueue(queue)

    /// A spec version to place (from the API), or failed objects to place again (from the
    /// conductor, with the rescheduling annotation).
    public static func spec(_ message: SpecMessage, trace: TraceContext?) -> OutgoingMessage {
        OutgoingMessage(message, routingKey: queue, specID: message.id, trace: trace)
    }
}
