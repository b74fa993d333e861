import Scheduler
import ServiceSupport
import Testing

@Suite struct SchedulerSettingsTests {
    @Test func settingsComeFromTheEnvironmentWithDefaults() async throws {
        let defaults = try SchedulerSettings(try await ServiceConfiguration.load(file: nil, environment: [:]))
        #expect(defaults.agentTimeoutSeconds == 30 && defaults.concurrency == 4)
        let set = try SchedulerSettings(try await ServiceConfiguration.load(file: nil, environment: [
            "N0CORE_SCHEDULER_AGENT_TIMEOUT_SECONDS": "12", "N0CORE_SCHEDULER_CONCURRENCY": "2",
        ]))
        #expect(set.agentTimeoutSeconds == 12 && set.concurrency == 2)
        await #expect(throws: ConfigurationError.self) {
            try SchedulerSettings(try await ServiceConfiguration.load(file: nil, environment: ["N0CORE_SCHEDULER_AGENT_TIMEOUT_SECONDS": "0"]))
        }
    }
}
