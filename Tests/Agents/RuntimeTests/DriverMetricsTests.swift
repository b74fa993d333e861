import Messages
import Metrics
import MetricsTestKit
import ServiceSupport
import Testing

@testable import AgentRuntime

/// A driver call, counted by how it ended and timed, its result or error passed through.
@Suite struct DriverMetricsTests {
    struct Broken: Error {}

    let metrics = TestMetrics()
    let driver = DriverMetrics(driver: .agentVolumerFile)

    func count(_ operation: String, _ outcome: String) -> Int64 {
        metrics.counterTotal(label: "n0core_driver_operations_total", dimensions: [
            ("driver", "agent/volumer/file"), ("type", "resource/volume/file"), ("operation", operation), ("outcome", outcome),
        ])
    }

    @Test func eachOutcomeIsCountedAndEveryCallTimed() async throws {
        try await withMetricsFactory(metrics) {
            let applied = try await driver.measure(.apply, of: .volumeFile) {
                try await Task.sleep(for: .milliseconds(20))
                return "made"
            }
            #expect(applied == "made")
            await #expect(throws: Broken.self) {
                try await driver.measure(.remove, of: .volumeFile) { () async throws -> Void in throw Broken() }
            }
            await #expect(throws: DeadlineExceeded.self) {
                try await driver.measure(.apply, of: .volumeFile) {
                    try await withDeadline(.milliseconds(10)) { try await Task.sleep(for: .seconds(5)) }
                }
            }
            await #expect(throws: CancellationError.self) {
                try await driver.measure(.restore, of: .volumeFile) { () async throws -> Void in throw CancellationError() }
            }
        }
        #expect(count("apply", "succeeded") == 1)
        #expect(count("remove", "failed") == 1)
        #expect(count("apply", "timed_out") == 1)
        #expect(count("restore", "interrupted") == 1)
        let applies = try metrics.expectTimer("n0core_driver_operation_seconds", [
            ("driver", "agent/volumer/file"), ("type", "resource/volume/file"), ("operation", "apply"),
        ])
        #expect(applies.values.count == 2)
        #expect(applies.values.contains { $0 >= 20_000_000 }, "the successful apply took at least its 20 ms: \(applies.values)")
    }
}
