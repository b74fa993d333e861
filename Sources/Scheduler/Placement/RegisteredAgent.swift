import Messages

/// One agent as the scheduler sees it in a snapshot: where it is, whether it takes new work,
/// what it offers and what is already promised on it.
public struct RegisteredAgent: Sendable, Hashable {
    public var id: ObjectID
    public var type: ObjectType
    public var hostID: ObjectID
    /// Its state is `alived` and its heartbeats arrive; only alive agents get new objects.
    public var alive: Bool
    public var capacity: Resources
    /// The sum of the claims on it.
    public var claimed: Resources
    /// Where other hosts reach it, as its heartbeats announce (a porter's underlay address).
    public var addresses: [String]
    /// Where other volumers fetch its volumes from (a volumer's announced export URL); nil when
    /// it exports none, and then its volumes cannot move to another host.
    public var exportURL: String?

    public init(id: ObjectID, type: ObjectType, hostID: ObjectID, alive: Bool, capacity: Resources, claimed: Resources = .zero,
                addresses: [String] = [], exportURL: String? = nil) {
        self.id = id
        self.type = type
        self.hostID = hostID
        self.alive = alive
        self.capacity = capacity
        self.claimed = claimed
        self.addresses = addresses
        self.exportURL = exportURL
    }

    /// The agent as requests embed it (seed 5.1): type, id, state and host; and the addresses
    /// it announced, which a network's other porters send its overlay traffic to.
    public var object: Object {
        Object(type: type, id: id, desiredState: alive ? "alived" : "dead", url: exportURL,
               ipAddresses: addresses.isEmpty ? nil : addresses, hostID: hostID)
    }

    /// What is left to claim.
    public var free: Resources {
        capacity - claimed
    }
}
