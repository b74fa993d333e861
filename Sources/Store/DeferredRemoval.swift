import Foundation

/// A removal held back until its object is applied elsewhere (migration 10): the old copy of a
/// volume moved off a draining host, which the new copy is made from.
public struct DeferredRemoval: Sendable, Equatable {
    public var objectID: UUID
    /// The agent that still holds the object's data and gets the removal.
    public var agentID: UUID
    /// The attempt of the move: the removal is sent once the object is applied at this attempt
    /// or a later one.
    public var attempt: Int
    public var specID: Int64
    /// The removal `Request`, as it will be queued.
    public var message: OutboxMessage

    public init(objectID: UUID, agentID: UUID, attempt: Int, specID: Int64, message: OutboxMessage) {
        self.objectID = objectID
        self.agentID = agentID
        self.attempt = attempt
        self.specID = specID
        self.message = message
    }
}
