import Foundation
import Logging
import Synchronization

/// Runs commands as child processes (Foundation `Process`), logging each at debug with its exit
/// status and duration.
///
/// Output is read on background threads while the command runs (a full pipe would otherwise
/// block it). A command past its timeout, or whose task is cancelled, gets SIGTERM and, a
/// second later, SIGKILL, so a cancelled request never leaves a tool running behind it.
public struct ProcessCommandRunner: CommandRunner {
    private let logger: Logger
    private let searchPath: [String]

    public init(logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.logger = logger
        self.searchPath = (environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .split(separator: ":").map(String.init)
    }

    public func run(_ command: Command) async throws -> CommandResult {
        guard let executable = resolve(command.executable) else { throw CommandFailure.notFound(command: command) }
        try Task.checkCancellation()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = command.arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        let ending = ProcessEnding()
        do {
            try Self.withSignalsUnblocked { try process.run() }
        } catch {
            throw CommandFailure.couldNotStart(command: command, reason: "\(error)")
        }
        let timer = Task {
            try await Task.sleep(for: command.timeout)
            ending.terminate(process, because: .timedOut)
        }
        defer { timer.cancel() }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CommandResult, Never>) in
                DispatchQueue.global().async {
                    let group = DispatchGroup()
                    let standardOutput = Mutex(Data())
                    let standardError = Mutex(Data())
                    group.enter()
                    DispatchQueue.global().async {
                        let data = output.fileHandleForReading.readDataToEndOfFile()
                        standardOutput.withLock { $0 = data }
                        group.leave()
                    }
                    group.enter()
                    DispatchQueue.global().async {
                        let data = errors.fileHandleForReading.readDataToEndOfFile()
                        standardError.withLock { $0 = data }
                        group.leave()
                    }
                    group.wait()
                    process.waitUntilExit()
                    continuation.resume(returning: CommandResult(
                        status: process.terminationStatus,
                        standardOutput: String(decoding: standardOutput.withLock { $0 }, as: UTF8.self),
                        standardError: String(decoding: standardError.withLock { $0 }, as: UTF8.self)))
                }
            }
        } onCancel: {
            ending.terminate(process, because: .cancelled)
        }
        let elapsed = ContinuousClock.now - started
        logger.debug("ran a command", metadata: [
            "command": "\(command)", "status": "\(result.status)",
            "duration_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
        switch ending.reason {
        case .timedOut: throw CommandFailure.timedOut(command: command)
        case .cancelled: throw CancellationError()
        case nil: return result
        }
    }

    /// Runs `body` (the spawn) with no signal blocked on this thread. Threads of Swift's
    /// concurrency pool block almost every signal, a child inherits the mask of the thread that
    /// spawns it, and Foundation's `Process` cannot set the child's own: without this, a daemon
    /// started by a driver (dnsmasq) would never see SIGHUP or SIGTERM. The window is the spawn
    /// itself, a millisecond.
    private static func withSignalsUnblocked<Result>(_ body: () throws -> Result) rethrows -> Result {
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    /// An absolute path, or the first executable of that name on `PATH`.
    private func resolve(_ name: String) -> String? {
        if name.contains("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? name : nil
        }
        return searchPath.lazy.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Why a process was stopped early, set once; stopping sends SIGTERM, then SIGKILL a second
/// later if the process is still there.
private final class ProcessEnding: Sendable {
    enum Reason: Sendable { case timedOut, cancelled }

    private let state = Mutex<Reason?>(nil)

    var reason: Reason? { state.withLock { $0 } }

    func terminate(_ process: Process, because reason: Reason) {
        guard process.isRunning else { return }
        let first = state.withLock { current -> Bool in
            guard current == nil else { return false }
            current = reason
            return true
        }
        guard first else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) {
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }
}
