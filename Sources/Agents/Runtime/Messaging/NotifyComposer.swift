import Broker
import Clients
import Messages
import W3CTraceContext

/// Builds an agent's `Notify` messages in the seed's section 5.2 shape, and their addresses.
///
/// The object in a Notify is the object as the agent now holds it (with `url`, `bridge` …
/// filled and its dependencies as they were resolved), and it always names this agent in its
/// `scheduled` dependency, so the conductor can tell which agent reported.
struct NotifyComposer: Sendable {
    /// This agent as an object: `type`, `id`, `state: alived`, `host_id`.
    let agent: Object

    init(agentType: ObjectType, identity: AgentIdentity) {
        agent = Object(type: agentType, id: identity.agentID, desiredState: "alived", hostID: identity.hostID)
    }

    /// "Succeeded to create resource." (the seed's words), or "… after waiting network
    /// resource(8451…)." when the request was parked for dependencies.
    func success(specID: Int64, object: Object, message: String?, waitedFor: [UnmetDependency], attempt: Int? = nil) -> NotifyMessage {
        var text = message ?? "Succeeded to \(Self.verb(for: object)) resource"
        if message == nil && !waitedFor.isEmpty {
            text += " after waiting " + waitedFor.map(\.description).joined(separator: ", ")
        }
        if !text.hasSuffix(".") { text += "." }
        return NotifyMessage(specID: specID, message: text, level: .success, object: naming(object), attempt: attempt)
    }

    /// "Failed to create resource: <reason>", the reason being a sentence a person can act on.
    func failure(specID: Int64, object: Object, reason: String, attempt: Int? = nil) -> NotifyMessage {
        var text = "Failed to \(Self.verb(for: object)) resource: \(reason)"
        if !text.hasSuffix(".") { text += "." }
        return NotifyMessage(specID: specID, message: text, level: .error, object: naming(object), attempt: attempt)
    }

    /// "Still applying after 20 s." (`INFO`): the attempt is still at work, which moves the
    /// conductor's deadline on and decides nothing.
    func progress(specID: Int64, object: Object, message: String, attempt: Int?) -> NotifyMessage {
        var text = message.prefix(1).uppercased() + message.dropFirst()
        if !text.hasSuffix(".") { text += "." }
        return NotifyMessage(specID: specID, message: text, level: .info, object: naming(object), attempt: attempt)
    }

    /// A report that is not a result (start-up reconciliation): `WARNING`, deciding nothing.
    func warning(specID: Int64, object: Object, message: String) -> NotifyMessage {
        NotifyMessage(specID: specID, message: message, level: .warning, object: naming(object))
    }

    /// The messages that carry `notify`: to the conductor, then to the agent of every dependent
    /// (each agent once; this agent too when a dependent is its own, as a porter's NIC on its
    /// network). Answering a request (`requestID`), each message's id is derived from the request,
    /// the attempt and the destination, so sending the same answer again reuses the ids.
    func messages(for notify: NotifyMessage, dependents: [Object], requestID: String?, trace: TraceContext?) -> [OutgoingMessage] {
        var messages = [ConductorClient.notify(notify, trace: trace)]
            + Self.dependentAgents(dependents).map { AgentClient.notify(notify, to: $0, trace: trace) }
        if let requestID {
            for index in messages.indices {
                messages[index].messageID = DerivedMessageID.make([
                    "notify", requestID, notify.attempt.map(String.init) ?? "-", messages[index].routingKey,
                ])
            }
        }
        return messages
    }

    /// The distinct agents of `dependents`, in order; dependents without a `scheduled` agent
    /// cannot be told and are left out.
    static func dependentAgents(_ dependents: [Object]) -> [ObjectID] {
        var seen: Set<ObjectID> = []
        return dependents.compactMap { $0.scheduledAgent?.id }.filter { seen.insert($0).inserted }
    }

    /// `object` with this agent as its `scheduled` dependency, added when missing.
    func naming(_ object: Object) -> Object {
        guard object.scheduledAgent == nil else { return object }
        var object = object
        object.dependencies = (object.dependencies ?? []) + [.scheduled(on: agent)]
        return object
    }

    /// What reaching the object's desired state means, for messages.
    static func verb(for object: Object) -> String {
        switch object.desiredState ?? object.type?.defaultDesiredState {
        case "deleted": "delete"
        case "destroyed": "destroy"
        case "poweroff": "power off"
        case "saved": "save"
        case "detached": "detach"
        case "down": "bring down"
        default: "create"
        }
    }
}
