import Foundation
import Messages

/// One read of a VM's serial log, asked of the compute agent it is placed on.
public struct ConsoleFetch: Sendable, Hashable {
    public var agentID: ObjectID
    public var vmID: ObjectID
    public var range: ConsoleRange
    public var maxBytes: Int
    /// How long to wait for the agent's answer (`api.console_timeout_seconds`).
    public var timeout: Duration

    public init(agentID: ObjectID, vmID: ObjectID, range: ConsoleRange, maxBytes: Int = ConsoleLimits.defaultBytes,
                timeout: Duration) {
        self.agentID = agentID
        self.vmID = vmID
        self.range = range
        self.maxBytes = maxBytes
        self.timeout = timeout
    }
}

/// Why a read of a serial log has no excerpt; each message is a sentence for the user.
public enum ConsoleFetchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not sent: the broker is unreachable (try again later).
    case unavailable(String)
    /// Sent, and no answer within the deadline.
    case timedOut(agentID: ObjectID, after: Duration)
    /// The agent has no serial log for the VM.
    case noLog(String)
    /// The agent does not serve consoles.
    case unsupported(String)
    /// The agent could not read the log.
    case failed(String)

    public var description: String {
        switch self {
        case .unavailable(let why), .noLog(let why), .unsupported(let why), .failed(let why): why
        case .timedOut(let agent, let after): "the compute agent \(agent) did not answer within \(after)"
        }
    }
}

/// Reads serial logs through the agents: ``ConsoleRequester`` over the broker; a test may answer
/// itself.
public protocol ConsoleFetching: Sendable {
    func fetch(_ fetch: ConsoleFetch) async throws(ConsoleFetchError) -> ConsoleExcerpt
}
