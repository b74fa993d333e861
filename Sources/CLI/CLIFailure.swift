/// How a command ends, as its exit code: scripts branch on it (docs/cli.md, "Exit codes").
public enum ExitStatus: Int32, Sendable {
    /// Done; for `apply` and `delete`, the spec ended `applied`.
    case success = 0
    /// The spec ended `failed` (or was superseded before it settled).
    case failed = 1
    /// The command line was wrong, or the API refused the request or could not be reached.
    case usage = 2
    /// `--timeout` passed before the spec settled.
    case timeout = 3
}

/// An error a command ends with: the message for stderr and the exit status.
public struct CLIFailure: Error, Sendable, CustomStringConvertible {
    public var status: ExitStatus
    public var message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }
}
