import Configuration
import ServiceSupport

/// The conductor's own settings (`conductor.*` keys, `N0CORE_CONDUCTOR_*` variables; see
/// `docs/configuration.md`).
public struct ConductorConfiguration: Sendable, Equatable {
    /// Attempts an object gets in all, the first placement included, before it and its spec
    /// version fail (`conductor.max_attempts`, default 3).
    public var maxAttempts: Int
    /// How long a scheduled object may wait for its agent's result before it counts as failed on
    /// that agent (`conductor.apply_deadline_seconds`, default 300: a real VM under TCG takes
    /// seconds to minutes, and an agent may wait for its dependencies first).
    public var applyDeadline: Duration
    /// How often the sweeper looks for dead agents and overdue objects
    /// (`conductor.sweep_interval_seconds`, default 5).
    public var sweepInterval: Duration
    /// Deliveries handled at once by one replica (`conductor.concurrency`, default 8). Results
    /// for one spec are serialized by a row lock whatever this is.
    public var concurrency: Int

    public init(
        maxAttempts: Int = 3, applyDeadline: Duration = .seconds(300), sweepInterval: Duration = .seconds(5),
        concurrency: Int = 8
    ) {
        self.maxAttempts = maxAttempts
        self.applyDeadline = applyDeadline
        self.sweepInterval = sweepInterval
        self.concurrency = concurrency
    }

    /// Reads the `conductor.*` keys; a value that is not a positive whole number is an error
    /// that names its key, rather than a silent default.
    public init(_ configuration: ServiceConfiguration) throws {
        let reader = configuration.reader
        func positive(_ key: String, default value: Int) throws -> Int {
            if let number = reader.int(forKey: .init(key)) {
                guard number > 0 else {
                    throw ConfigurationError.invalid(key: key, value: "\(number)", expected: "a positive whole number")
                }
                return number
            }
            if let text = reader.string(forKey: .init(key)) {
                throw ConfigurationError.invalid(key: key, value: text, expected: "a positive whole number")
            }
            return value
        }
        self.init(
            maxAttempts: try positive("conductor.max_attempts", default: 3),
            applyDeadline: .seconds(try positive("conductor.apply_deadline_seconds", default: 300)),
            sweepInterval: .seconds(try positive("conductor.sweep_interval_seconds", default: 5)),
            concurrency: try positive("conductor.concurrency", default: 8))
    }

    /// ``applyDeadline`` in seconds, for the database's interval arithmetic.
    var applyDeadlineSeconds: Double {
        let (seconds, attoseconds) = applyDeadline.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
