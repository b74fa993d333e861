import Logging
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

    @Test func cancellationStopsTheCommand() async throws {
        let task = Task { try await runner.run(Command("sleep", ["10"])) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
