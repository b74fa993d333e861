import Broker
import Messages
import ServiceSupport
import W3CTraceContext

/// The messages addressed to the conductor: agents' results and heartbeats.
public enum ConductorClient {
    /// The conductor's queue and routing key.
    public static let queue = "conductor"

    /// What a sender declares before publishing here, so nothing sent before a conductor has
    /// started is unroutable.
    public static let topology = Topology().declaringQueue(queue)

    /// An agent's result for one object (seed 5.2/5.3).
    public static func notify(_ message: NotifyMessage, trace: TraceContext?) -> OutgoingMessage {
        OutgoingMessage(message, routingKey: queue, specID: message.specID, trace: trace)
    }

    /// An agent's announcement that it is alive, with its capacity.
    public static func heartbeat(_ message: HeartbeatMessage) -> OutgoingMessage {
        OutgoingMessage(message, routingKey: queue, specID: nil, trace: nil)
    }
}
