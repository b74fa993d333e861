import Broker
import Foundation
import Testing

@testable import ServiceSupport

/// `amqp.tls.*`: read with the URL they are for, refused where they would do nothing or could
/// not work, naming the key.
@Suite struct BrokerTLSConfigurationTests {
    static func configuration(_ environment: [String: String]) async throws -> ServiceConfiguration {
        try await ServiceConfiguration.load(file: nil, environment: environment)
    }

    /// A readable file standing in for a PEM file (the keys are checked for readability only;
    /// the connection loads them).
    static func readableFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("n0core-tls-\(UUID()).pem").path
        try "-----BEGIN CERTIFICATE-----\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsTheFilesForAnAMQPSURL() async throws {
        let (ca, certificate, key) = (try Self.readableFile(), try Self.readableFile(), try Self.readableFile())
        defer { for path in [ca, certificate, key] { try? FileManager.default.removeItem(atPath: path) } }
        let configuration = try await Self.configuration([
            "N0CORE_AMQP_URL": "amqps://u:p@rabbit.example/n0core",
            "N0CORE_AMQP_TLS_CA_FILE": ca,
            "N0CORE_AMQP_TLS_CLIENT_CERT_FILE": certificate,
            "N0CORE_AMQP_TLS_CLIENT_KEY_FILE": key,
        ])
        let url = try AMQPURL(parsing: configuration.amqpURL)
        let tls = try configuration.brokerTLS(for: url)
        #expect(tls == BrokerTLS(caFile: ca, clientCertificateFile: certificate, clientKeyFile: key))
        #expect(url.scheme == .amqps && url.port == 5671)
    }

    @Test func withoutACAFileTrustsTheSystemsCAs() async throws {
        let configuration = try await Self.configuration(["N0CORE_AMQP_URL": "amqps://u:p@rabbit.example/n0core"])
        let tls = try configuration.brokerTLS(for: try AMQPURL(parsing: configuration.amqpURL))
        #expect(tls == BrokerTLS())
        #expect(tls.trustedCAFile == BrokerTLS.systemCAFile)
    }

    /// A TLS setting with plain amqp:// would be silently ignored: the operator would believe
    /// the connection encrypted.
    @Test func refusesTLSSettingsWithAPlainURL() async throws {
        let ca = try Self.readableFile()
        defer { try? FileManager.default.removeItem(atPath: ca) }
        let configuration = try await Self.configuration([
            "N0CORE_AMQP_URL": "amqp://u:p@rabbit.example/n0core", "N0CORE_AMQP_TLS_CA_FILE": ca,
        ])
        #expect {
            try configuration.brokerTLS(for: try AMQPURL(parsing: configuration.amqpURL))
        } throws: { error in
            "\(error)".contains("amqp.tls.ca_file") && "\(error)".contains("amqps://")
        }
    }

    @Test func refusesHalfAClientCertificateAndUnreadableFiles() async throws {
        let certificate = try Self.readableFile()
        defer { try? FileManager.default.removeItem(atPath: certificate) }
        let url = try AMQPURL(parsing: "amqps://u:p@rabbit.example/n0core")
        let halfPair = try await Self.configuration(["N0CORE_AMQP_TLS_CLIENT_CERT_FILE": certificate])
        #expect(throws: ConfigurationError.missing(key: "amqp.tls.client_key_file", environment: "N0CORE_AMQP_TLS_CLIENT_KEY_FILE")) {
            try halfPair.brokerTLS(for: url)
        }
        let missingFile = try await Self.configuration(["N0CORE_AMQP_TLS_CA_FILE": "/nonexistent/ca.pem"])
        #expect(throws: ConfigurationError.invalid(key: "amqp.tls.ca_file", value: "/nonexistent/ca.pem",
                                                    expected: "a PEM file this daemon can read")) {
            try missingFile.brokerTLS(for: url)
        }
    }
}
