import Foundation
import Logging
import TestSupport
import Testing

@testable import AgentRuntime

@Suite struct ProcessCommandRunnerTests {
    let runner = ProcessCommandRunner(logger: Logger(label: "test"))

    @Test func capturesOutputAndStatus() async throws {
        let result = try await runner.run(Command("sh", ["-c", "echo out; echo err >&2; exit 3"]))
        #expect(result == CommandResult(status: 3, standardOutput: "out\n", standardError: "err\n"))
    }

    @Test func checkCarriesTheCommandsErrorOutput() async throws {
        await #expect {
            try await runner.check(Command("sh", ["-c", "echo 'disk full' >&2; exit 1"]))
        } throws: { error in
            "\(error)".contains("exited with status 1: disk full")
        }
    }

    @Test func missingToolAndTimeoutAreClearFailures() async throws {
        await #expect(throws: CommandFailure.notFound(command: Command("n0core-no-such-tool", []))) {
            try await runner.run(Command("n0core-no-such-tool", []))
        }
        let slow = Command("sleep", ["10"], timeout: .milliseconds(200))
        await #expect(throws: CommandFailure.timedOut(command: slow)) {
            try await runner.run(slow)
        }
    }

    /// Cancelled once the command runs (it has written its pid), not after a guessed delay: the
    /// task throws `CancellationError` and the process is gone.
    @Test func cancellationStopsTheCommand() async throws {
        let marker = NSTemporaryDirectory() + "n0core-runner-cancel-\(UUID().uuidString).pid"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let task = Task { try await runner.run(Command("sh", ["-c", "echo $$ > \(marker); exec sleep 30"])) }
        let pid = try await poll("the command to start", within: .seconds(30)) { () -> Int32? in
            (try? String(contentsOfFile: marker, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(kill(pid, 0) == -1 && errno == ESRCH, "the cancelled command's process \(pid) is still there")
    }

    @Test func aCommandCancelledBeforeItStartsIsNeverRun() async throws {
        let marker = NSTemporaryDirectory() + "n0core-runner-unstarted-\(UUID().uuidString)"
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await runner.run(Command("touch", [marker]))
        }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
