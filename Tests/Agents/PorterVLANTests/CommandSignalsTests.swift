import AgentRuntime
import Foundation
import Testing

/// The porter reloads and stops the dnsmasqs it started with signals, so the processes its
/// runner starts must not inherit the blocked signal mask of Swift's concurrency threads.
@Suite("Porter: commands start with no signal blocked")
struct CommandSignalsTests {
    @Test func aCommandStartedFromAnAsyncTaskBlocksNoSignal() async throws {
        let runner = ProcessCommandRunner(logger: PorterTestEnvironment.logger)
        let result = try await runner.check(Command("sh", ["-c", "grep '^SigBlk:' /proc/self/status"]))
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "SigBlk:\t0000000000000000")
    }
}
