import Messages

/// A successful placement: where every object goes, what to send, what to claim.
public struct PlacementPlan: Sendable, Hashable {
    /// One `Request` to send: `object` to `agent`.
    public struct Assignment: Sendable, Hashable {
        public var objectID: ObjectID
        public var agentID: ObjectID

        public init(objectID: ObjectID, agentID: ObjectID) {
            self.objectID = objectID
            self.agentID = agentID
        }
    }

    /// The agents each object is on after this decision: the request's objects, and networks
    /// of other specs that gained a porter for a NIC placed now. A network has one porter per
    /// host with one of its NICs; a NIC on another host than its network's DHCP server has its
    /// own host's porter and that server (which keeps its reservation); everything else has one
    /// agent.
    public var placements: [ObjectID: [ObjectID]] = [:]
    /// The porter that serves DHCP for each network this decision placed on several hosts.
    public var dhcpServers: [ObjectID: ObjectID] = [:]
    /// The `Request`s to send, in the message's object order.
    public var assignments: [Assignment] = []
    /// The claims the objects hold after this decision (new, moved or resized).
    public var claims: [ObjectID: ObjectClaim] = [:]
    /// Objects whose claims are released (removed objects).
    public var released: [ObjectID] = []
    /// Removed objects that were never placed: no agent has anything to remove.
    public var nothingToDo: [ObjectID] = []

    public init() {}

    /// The objects that get at least one `Request`, in order.
    public var scheduledObjects: [ObjectID] {
        var seen = Set<ObjectID>()
        return assignments.compactMap { seen.insert($0.objectID).inserted ? $0.objectID : nil }
    }
}

/// Why a spec cannot be placed: a reason per object of the request, in words a person can act on.
public struct PlacementFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every object of the request, with its own reason or the reason it waits on.
    public var reasons: [ObjectID: String]
    /// The distinct reasons, for the spec version's state.
    public var summary: String

    public init(reasons: [ObjectID: String], summary: String) {
        self.reasons = reasons
        self.summary = summary
    }

    /// One reason for every object (the annotations cannot be read, say).
    public init(every objectIDs: [ObjectID], _ reason: String) {
        self.init(reasons: Dictionary(objectIDs.map { ($0, reason) }, uniquingKeysWith: { a, _ in a }), summary: reason)
    }

    public var description: String { summary }
}
