import ArgumentParser
import Foundation
import Logging

/// The running system a command drives (its API, a token it accepts, its database and broker),
/// the log level, and `KEY=VALUE` settings describing it for the report.
struct SystemOptions: ParsableArguments {
    @Option(help: "The API.")
    var api = "http://127.0.0.1:8080"

    @Option(help: "A bearer token the API accepts (default: N0CORE_API_TOKEN).")
    var token: String?

    @Option(help: "The system's database (default: N0CORE_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "The system's broker (default: N0CORE_AMQP_URL).")
    var amqpURL: String?

    @Option(name: .customLong("setting"), help: "KEY=VALUE describing the system under test, printed with the table (repeatable).")
    var settings: [String] = []

    @Option(help: "trace, debug, info, notice, warning, error.")
    var logLevel = "notice"

    /// The options with the environment's defaults filled in, checked.
    struct Resolved {
        var token: String
        var databaseURL: String
        var amqpURL: String
        var logger: Logger
        var settings: [String: String]
    }

    func resolve() throws -> Resolved {
        let environment = ProcessInfo.processInfo.environment
        guard let token = token ?? environment["N0CORE_API_TOKEN"], !token.isEmpty else {
            throw ValidationError("give --token or set N0CORE_API_TOKEN")
        }
        guard let database = databaseURL ?? environment["N0CORE_DATABASE_URL"] else {
            throw ValidationError("give --database-url or set N0CORE_DATABASE_URL")
        }
        guard let amqp = amqpURL ?? environment["N0CORE_AMQP_URL"] else {
            throw ValidationError("give --amqp-url or set N0CORE_AMQP_URL")
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level \(logLevel) is not a level") }
        var logger = Logger(label: "n0core-bench")
        logger.logLevel = level
        var described: [String: String] = [:]
        for entry in settings {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--setting \(entry): expected KEY=VALUE") }
            described[String(parts[0])] = String(parts[1])
        }
        return Resolved(token: token, databaseURL: database, amqpURL: amqp, logger: logger, settings: described)
    }
}
