import Broker
import Messages
import ServiceSupport
import W3CTraceContext

/// The messages addressed to one agent, whose queue and routing key is its id.
public enum AgentClient {
    /// The queue and routing key of agent `agentID`.
    public static func queue(_ agentID: ObjectID) -> String {
        agentID.description
    }

    /// What the agent declares for itself (its own queue), so work sent to it waits there
    /// across its restarts.
    public static func topology(_ agentID: ObjectID) -> Topology {
        Topology().declaringQueue(queue(agentID))
    }

    /// Work for the agent (seed 5.1), from the scheduler.
    public static func request(_ message: RequestMessage, to agentID: ObjectID, trace: TraceContext?) -> OutgoingMessage {
        OutgoingMessage(message, routingKey: queue(agentID), specID: message.specID, trace: trace)
    }

    /// Another agent's result that this agent may be waiting for (seed 5.2: "to conductor and
    /// depended agent").
    public static func notify(_ message: NotifyMessage, to agentID: ObjectID, trace: TraceContext?) -> OutgoingMessage {
        OutgoingMessage(message, routingKey: queue(agentID), specID: message.specID, trace: trace)
    }
}
