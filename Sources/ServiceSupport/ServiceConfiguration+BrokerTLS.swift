import Broker
import Foundation

extension ServiceConfiguration {
    /// The `amqp.tls.*` keys, checked against the broker URL they are for.
    ///
    /// Refused, naming the key: a TLS setting with a plain `amqp://` URL (it would do nothing,
    /// and the operator would believe the connection encrypted), a client certificate without
    /// its key or the reverse, and a file the daemon cannot read — all at start-up, rather than
    /// as a connection that keeps failing.
    public func brokerTLS(for url: AMQPURL) throws -> BrokerTLS {
        let keys = (ca: "amqp.tls.ca_file", certificate: "amqp.tls.client_cert_file", key: "amqp.tls.client_key_file")
        let tls = BrokerTLS(
            caFile: reader.string(forKey: "amqp.tls.ca_file"),
            clientCertificateFile: reader.string(forKey: "amqp.tls.client_cert_file"),
            clientKeyFile: reader.string(forKey: "amqp.tls.client_key_file"))
        let given = [(keys.ca, tls.caFile), (keys.certificate, tls.clientCertificateFile), (keys.key, tls.clientKeyFile)]
            .compactMap { key, value in value.map { (key, $0) } }

        guard url.scheme == .amqps else {
            if let first = given.first {
                throw ConfigurationError.invalid(
                    key: first.0, value: first.1, expected: "no TLS setting with a plain amqp:// amqp.url (use amqps://)")
            }
            return tls
        }
        if tls.clientCertificateFile != nil, tls.clientKeyFile == nil {
            throw ConfigurationError.missing(key: keys.key, environment: Self.environmentName(keys.key))
        }
        if tls.clientKeyFile != nil, tls.clientCertificateFile == nil {
            throw ConfigurationError.missing(key: keys.certificate, environment: Self.environmentName(keys.certificate))
        }
        if tls.caFile == nil, !FileManager.default.isReadableFile(atPath: tls.trustedCAFile) {
            throw ConfigurationError.missing(key: keys.ca, environment: Self.environmentName(keys.ca))
        }
        for (key, path) in given where !FileManager.default.isReadableFile(atPath: path) {
            throw ConfigurationError.invalid(key: key, value: path, expected: "a PEM file this daemon can read")
        }
        return tls
    }

    /// `amqp.tls.ca_file` → `N0CORE_AMQP_TLS_CA_FILE`.
    static func environmentName(_ key: String) -> String {
        "N0CORE_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
