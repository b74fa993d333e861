import ServiceSupport
import Testing

@testable import Conductor

@Suite("Conductor configuration")
struct ConductorConfigurationTests {
    func load(_ environment: [String: String]) async throws -> ConductorConfiguration {
        try ConductorConfiguration(try await ServiceConfiguration.load(file: nil, environment: environment))
    }

    @Test func defaults() async throws {
        let configuration = try await load([:])
        #expect(configuration == ConductorConfiguration(
            maxAttempts: 3, applyDeadline: .seconds(120), sweepInterval: .seconds(5), concurrency: 8,
            acceptedDeadline: .seconds(900), leaseGrace: .seconds(30), catchUpLimit: .seconds(60)))
    }

    @Test func readsTheEnvironment() async throws {
        let configuration = try await load([
            "N0CORE_CONDUCTOR_MAX_ATTEMPTS": "5", "N0CORE_CONDUCTOR_APPLY_DEADLINE_SECONDS": "60",
            "N0CORE_CONDUCTOR_SWEEP_INTERVAL_SECONDS": "2", "N0CORE_CONDUCTOR_CONCURRENCY": "4",
        ])
        #expect(configuration == ConductorConfiguration(maxAttempts: 5, applyDeadline: .seconds(60), sweepInterval: .seconds(2), concurrency: 4))
    }

    @Test(arguments: ["0", "-1", "three", "101", "99999999999999999999"])
    func refusesWhatIsNotAPositiveNumber(value: String) async throws {
        await #expect(throws: ConfigurationError.invalid(key: "conductor.max_attempts", value: value,
                                                         expected: "a whole number of attempts from 1 to 100")) {
            try await load(["N0CORE_CONDUCTOR_MAX_ATTEMPTS": value])
        }
    }

    /// An interval past what can be waited for is refused at start, naming the key and the bounds.
    @Test(arguments: ["N0CORE_CONDUCTOR_SWEEP_INTERVAL_SECONDS", "N0CORE_CONDUCTOR_APPLY_DEADLINE_SECONDS"])
    func refusesAnAbsurdInterval(variable: String) async throws {
        do {
            _ = try await load([variable: "9223372036854775807"])
            Issue.record("an interval of 2^63-1 seconds was accepted")
        } catch let error as ConfigurationError {
            #expect("\(error)".contains("a whole number of seconds from 1 to"), "\(error)")
        }
    }
}
