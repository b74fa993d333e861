/// Runs host commands (`qemu-img`, `ip`, `dnsmasq`) for drivers, behind a protocol so a
/// driver's logic can be tested with a fake and the runtime's tests need no host tools.
public protocol CommandRunner: Sendable {
    /// Runs `command` to its end and returns what it printed and its exit status, whatever the
    /// status. Throws only when it cannot run (not found, timed out, cancelled).
    func run(_ command: Command) async throws -> CommandResult
}

extension CommandRunner {
    /// Runs `command` and throws ``CommandFailure`` (carrying its error output) unless it exits
    /// with status 0.
    @discardableResult
    public func check(_ command: Command) async throws -> CommandResult {
        let result = try await run(command)
        guard result.status == 0 else {
            throw CommandFailure.failed(command: command, status: result.status, standardError: result.standardError)
        }
        return result
    }
}

/// One invocation of a host command.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    /// A name found on `PATH` (`qemu-img`) or an absolute path.
    public var executable: String
    public var arguments: [String]
    /// Past it the command is terminated and the run fails with ``CommandFailure/timedOut``.
    public var timeout: Duration

    public init(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
    }

    /// The command line, for logs and error messages (arguments carry paths and sizes, never
    /// secrets).
    public var description: String {
        ([executable] + arguments).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}

/// What a command printed, and how it ended.
public struct CommandResult: Sendable, Hashable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String

    public init(status: Int32, standardOutput: String = "", standardError: String = "") {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Why a command did not succeed; the description quotes the command and its own error output,
/// which is what a person needs in an `ERROR` Notify.
public enum CommandFailure: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(command: Command)
    case couldNotStart(command: Command, reason: String)
    case failed(command: Command, status: Int32, standardError: String)
    case timedOut(command: Command)

    public var description: String {
        switch self {
        case .notFound(let command):
            "\(command.executable) is not installed (not found on PATH)"
        case .couldNotStart(let command, let reason):
            "could not run \(command.executable): \(reason)"
        case .failed(let command, let status, let standardError):
            "`\(command)` exited with status \(status)" + Self.quote(standardError)
        case .timedOut(let command):
            "`\(command)` did not finish within \(command.timeout) and was terminated"
        }
    }

    private static func quote(_ standardError: String) -> String {
        let text = standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": \(text.prefix(2000))"
    }
}
