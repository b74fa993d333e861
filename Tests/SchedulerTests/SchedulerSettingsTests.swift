import Scheduler
import ServiceSupport
import Testing

@Suite struct SchedulerSettingsTests {
    @Test func settingsComeFromTheEnvironmentWithDefaults() async throws {
        let defaults = try SchedulerSettings(try await ServiceConfiguration.load(file: nil, environment: [:]))
        #expect(defaults.agentTimeoutSeconds == 30 && defaults.concurrency == 4 && defaults.registryMaxAge == .seconds(5))
        let set = try SchedulerSettings(try await ServiceConfiguration.load(file: nil, environment: [
            "N0CORE_SCHEDULER_AGENT_TIMEOUT_SECONDS": "12", "N0CORE_SCHEDULER_CONCURRENCY": "2",
            "N0CORE_SCHEDULER_REGISTRY_CACHE_SECONDS": "0",
        ]))
        #expect(set.agentTimeoutSeconds == 12 && set.concurrency == 2 && set.registryMaxAge == .zero)
        for (key, value) in [("N0CORE_SCHEDULER_AGENT_TIMEOUT_SECONDS", "0"), ("N0CORE_SCHEDULER_REGISTRY_CACHE_SECONDS", "61")] {
            await #expect(throws: ConfigurationError.self) {
                try SchedulerSettings(try await ServiceConfiguration.load(file: nil, environment: [key: value]))
            }
        }
    }
}
