/// A failure a person can act on, thrown by drivers (and by the runtime's own checks); its
/// ``message`` goes as it is into the `ERROR` Notify, so it should say what was wrong and what
/// to do, e.g. "volume d991… is 10gb; shrinking it to 5gb is refused because it would destroy
/// data; create a new volume instead".
public struct AgentFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
