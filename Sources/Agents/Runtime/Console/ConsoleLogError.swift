import Messages

/// Why a driver has no serial log to give; any other error is a failure to read it.
public enum ConsoleLogError: Error, Sendable, Hashable {
    /// This kind of agent has no consoles.
    case unsupported
    /// No log for the VM on this host: it was never started here, or it was deleted.
    case noLog(ObjectID)
}

extension AgentDriver {
    public func consoleLog(of id: ObjectID, range: ConsoleRange, maxBytes: Int) async throws -> ConsoleExcerpt {
        throw ConsoleLogError.unsupported
    }
}
