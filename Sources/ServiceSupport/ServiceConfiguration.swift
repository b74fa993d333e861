import Configuration
import Foundation
import Logging
import SystemPackage

/// The settings every n0core daemon shares, and the reader a daemon uses for its own keys.
///
/// Values come from a YAML file (`--config PATH`), overridden by environment variables: the key
/// `amqp.url` is `amqp: {url: …}` in the file and `N0CORE_AMQP_URL` in the environment. Every key
/// is documented in `docs/configuration.md`. Secrets (URLs with passwords, tokens) are read with
/// `isSecret` so configuration access logging never prints them.
public struct ServiceConfiguration: Sendable {
    /// The reader for service-specific keys (`api.listen`, `agent.id`, …).
    public let reader: ConfigReader

    public init(reader: ConfigReader) {
        self.reader = reader
    }

    /// Loads the file (if one is given) under the `N0CORE_*` environment.
    public static func load(
        file: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> ServiceConfiguration {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "n0core")
        ]
        if let file {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw ConfigurationError.unreadableFile(file)
            }
            providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(file)))
        }
        return ServiceConfiguration(reader: ConfigReader(providers: providers))
    }

    /// The broker, `amqp://user:password@host:port/vhost`, or the nodes of a RabbitMQ cluster as
    /// such URLs separated by commas.
    public var amqpURL: String {
        reader.string(forKey: "amqp.url", isSecret: true, default: "amqp://guest:guest@127.0.0.1:5672/")
    }

    /// The database, `postgres://user:password@host:port/database`; nil where a role needs none.
    public var databaseURL: String? {
        reader.string(forKey: "database.url", isSecret: true)
    }

    /// The database URL for roles that cannot run without one.
    public func requiredDatabaseURL() throws -> String {
        guard let url = databaseURL else { throw ConfigurationError.missing(key: "database.url", environment: "N0CORE_DATABASE_URL") }
        return url
    }

    /// `trace`, `debug`, `info` (default), `notice`, `warning`, `error`, `critical`.
    public func logLevel() throws -> Logger.Level {
        let text = reader.string(forKey: "log.level", default: "info")
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError.invalid(key: "log.level", value: text,
                                             expected: Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return level
    }

    /// `HOST:PORT` on which a daemon serves `/healthz`, `/readyz` and `/metrics`; nil serves none.
    public func healthListenAddress() throws -> ListenAddress? {
        guard let text = reader.string(forKey: "health.listen") else { return nil }
        return try ListenAddress(parsing: text, key: "health.listen")
    }
}

/// A configuration problem a person can fix, naming the key.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case unreadableFile(String)
    case missing(key: String, environment: String)
    case invalid(key: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path): "configuration file \(path) cannot be read"
        case .missing(let key, let env): "\(key) is not set (in the configuration file or as \(env))"
        case .invalid(let key, let value, let expected): "\(key): '\(value)' is not valid; expected \(expected)"
        }
    }
}
