import Broker
import Foundation
import Logging
import Testing

@testable import ServiceSupport

/// Configuration comes from a YAML file, overridden by N0CORE_* environment variables.
@Suite struct ServiceConfigurationTests {
    static func file(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("n0core-config-\(UUID()).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func environmentOverridesTheFile() async throws {
        let path = try Self.file("""
            amqp:
              url: amqp://file:secret@127.0.0.1:5672/file
            log:
              level: debug
            health:
              listen: 127.0.0.1:9101
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try await ServiceConfiguration.load(
            file: path, environment: ["N0CORE_AMQP_URL": "amqp://env:secret@127.0.0.1:5672/env"])
        #expect(configuration.amqpURL == "amqp://env:secret@127.0.0.1:5672/env")
        #expect(try configuration.logLevel() == .debug)
        #expect(try configuration.healthListenAddress() == ListenAddress(host: "127.0.0.1", port: 9101))
        #expect(configuration.databaseURL == nil)
        #expect(throws: ConfigurationError.missing(key: "database.url", environment: "N0CORE_DATABASE_URL")) {
            try configuration.requiredDatabaseURL()
        }
    }

    @Test func defaultsWithoutFileOrEnvironment() async throws {
        let configuration = try await ServiceConfiguration.load(file: nil, environment: [:])
        #expect(configuration.amqpURL == "amqp://guest:guest@127.0.0.1:5672/")
        #expect(try configuration.logLevel() == .info)
        #expect(try configuration.healthListenAddress() == nil)
    }

    @Test func aClustersURLsPassThroughTheEnvironmentAndTheFile() async throws {
        let nodes = "amqp://n0core:a,b@mq1:5672/n0core,amqp://n0core:a,b@mq2:5672/n0core,amqp://n0core:a,b@mq3:5672/n0core"
        let path = try Self.file("amqp:\n  url: \"\(nodes)\"\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for configuration in [
            try await ServiceConfiguration.load(file: nil, environment: ["N0CORE_AMQP_URL": nodes]),
            try await ServiceConfiguration.load(file: path, environment: [:]),
        ] {
            let urls = try AMQPURL.list(parsing: configuration.amqpURL)
            #expect(urls.map(\.host) == ["mq1", "mq2", "mq3"])
            #expect(urls.allSatisfy { $0.password == "a,b" && $0.vhost == "n0core" })
        }
    }

    @Test func badValuesNameTheKey() async throws {
        let configuration = try await ServiceConfiguration.load(
            file: nil, environment: ["N0CORE_LOG_LEVEL": "loud", "N0CORE_HEALTH_LISTEN": "nowhere"])
        #expect(throws: ConfigurationError.self) { try configuration.logLevel() }
        do {
            _ = try configuration.healthListenAddress()
            Issue.record("a listen address without a port was accepted")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("health.listen"))
        }
        await #expect(throws: ConfigurationError.unreadableFile("/nonexistent/n0core.yaml")) {
            _ = try await ServiceConfiguration.load(file: "/nonexistent/n0core.yaml", environment: [:])
        }
    }
}
