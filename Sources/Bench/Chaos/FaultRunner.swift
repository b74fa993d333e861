import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What happened to one fault of the schedule.
public struct FaultRecord: Sendable, Hashable, Codable {
    public var name: String
    public var action: String
    /// Seconds since the load started: planned, and when the fault was in effect.
    public var plannedAt: Double
    public var injectedAt: Double
    /// When the healing command finished (nil for faults that need none).
    public var healedAt: Double?
    /// The fault helper's last line for the injection (e.g. `killed scheduler-1 (pid 4242)`).
    public var injectDetail: String
    public var healDetail: String?
    /// Commands that failed: the fault may not have happened as planned.
    public var errors: [String]
    /// Versions accepted and requests refused from the injection to the next fault.
    public var acceptedDuring: Int
    public var refusedDuring: Int
    /// The end of the window those counts cover.
    public var windowEnd: Double
    public var expectation: String

    public init(name: String, action: String, plannedAt: Double, injectedAt: Double, healedAt: Double?,
                injectDetail: String, healDetail: String?, errors: [String], acceptedDuring: Int, refusedDuring: Int,
                windowEnd: Double, expectation: String) {
        self.name = name
        self.action = action
        self.plannedAt = plannedAt
        self.injectedAt = injectedAt
        self.healedAt = healedAt
        self.injectDetail = injectDetail
        self.healDetail = healDetail
        self.errors = errors
        self.acceptedDuring = acceptedDuring
        self.refusedDuring = refusedDuring
        self.windowEnd = windowEnd
        self.expectation = expectation
    }

    /// How long the fault was in effect, from the end of the injection to the end of the healing.
    public var heldSeconds: Double? {
        healedAt.map { $0 - injectedAt }
    }
}

/// Runs the fault helper (`deploy/chaos.sh fault …`) with a fault's arguments.
public struct FaultCommand: Sendable {
    /// The program and the arguments that come before the fault's own.
    public var command: [String]

    public init(command: [String]) {
        self.command = command
    }

    /// Runs it; the exit status and its output (stdout and stderr).
    ///
    /// Spawned with `posix_spawn` and reaped with `waitpid` on a thread of its own rather than
    /// with Foundation's `Process`: the helper starts services in the background, and
    /// `Process` on Linux does not notice the end of a child whose own children live on (the
    /// helper stayed a zombie and the run hung).
    public func run(_ arguments: [String]) async -> (status: Int32, output: String) {
        guard let program = command.first else { return (127, "no fault command given") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("n0core-chaos-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let argv = (program.contains("/") ? [program] : ["/usr/bin/env", program]) + Array(command.dropFirst()) + arguments
        let status: Int32 = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.spawnAndWait(argv, output: output))
            }
            thread.name = "n0core-bench: fault helper"
            thread.start()
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return (status, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Runs `argv` with stdin from /dev/null and stdout and stderr into `output`, with default
    /// signal dispositions and no blocked signals (so the services it starts can be stopped
    /// with SIGTERM); blocks until it exits. Returns its exit status (128 + signal when killed,
    /// 127 when it cannot be started).
    static func spawnAndWait(_ argv: [String], output: String) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        guard spawned == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return 127 }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

/// Runs a ``ChaosSchedule`` against a running system while the load runs, printing a
/// timestamped line per injection and healing.
struct FaultRunner: Sendable {
    let schedule: ChaosSchedule
    let command: FaultCommand
    /// Publishes the poison messages; returns what to print.
    let poison: @Sendable () async throws -> String
    /// Seconds since the load started.
    let clock: @Sendable () -> Double
    let logger: Logger

    func run() async -> [FaultRecord] {
        let planned = schedule.plannedStarts
        var records: [FaultRecord] = []
        await sleep(until: schedule.warmup)
        for (index, fault) in schedule.faults.enumerated() {
            let injectedAt = clock()
            var errors: [String] = []
            announce("inject", fault.name, "")
            let injected = await perform(fault.inject)
            if let error = injected.error { errors.append("inject: \(error)") }
            announce("injected", fault.name, injected.detail)
            var healedAt: Double?
            var healDetail: String?
            if let heal = fault.heal {
                let effective = clock()
                await sleep(until: effective + fault.hold)
                announce("heal", fault.name, "")
                let healed = await perform(heal)
                if let error = healed.error { errors.append("heal: \(error)") }
                healedAt = clock()
                healDetail = healed.detail
                announce("healed", fault.name, healed.detail)
            }
            await sleep(until: clock() + fault.recovery)
            records.append(FaultRecord(
                name: fault.name, action: fault.inject.text, plannedAt: planned[index], injectedAt: injectedAt,
                healedAt: healedAt, injectDetail: injected.detail, healDetail: healDetail, errors: errors,
                acceptedDuring: 0, refusedDuring: 0, windowEnd: clock(), expectation: fault.expectation))
        }
        return records
    }

    private func perform(_ action: FaultAction) async -> (detail: String, error: String?) {
        switch action {
        case .command(let arguments):
            let (status, output) = await command.run(arguments)
            let lines = output.split(separator: "\n").map(String.init)
            let detail = lines.joined(separator: "; ")
            if status != 0 {
                logger.error("the fault helper failed", metadata: ["arguments": "\(arguments)", "status": "\(status)", "output": "\(output)"])
                return (detail, "exit \(status): \(lines.last ?? "")")
            }
            return (detail, nil)
        case .poison:
            do {
                return (try await poison(), nil)
            } catch {
                return ("", "\(error)")
            }
        }
    }

    private func sleep(until seconds: Double) async {
        let remaining = seconds - clock()
        if remaining > 0 { try? await Task.sleep(for: .milliseconds(Int(remaining * 1000))) }
    }

    private func announce(_ what: String, _ name: String, _ detail: String) {
        let line = ChaosLog.line(at: clock(), "\(what.padding(toLength: 8, withPad: " ", startingAt: 0)) \(name)"
            + (detail.isEmpty ? "" : ": \(detail)"))
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// The suite's progress lines on stderr: wall-clock time and seconds since the load started.
enum ChaosLog {
    static func line(at seconds: Double, _ text: String) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return "[chaos] \(formatter.string(from: Date())) +\(String(format: "%6.1f", seconds))s \(text)"
    }

    static func print(at seconds: Double, _ text: String) {
        FileHandle.standardError.write(Data((line(at: seconds, text) + "\n").utf8))
    }
}
