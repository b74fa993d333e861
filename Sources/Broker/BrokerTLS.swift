/// What a connection to an `amqps://` broker trusts, and the certificate it may show.
///
/// There is no switch to turn verification off: over `amqps://` the broker's certificate must
/// chain to a CA of ``caFile`` and name the host of the URL (a DNS name among its names, or an IP
/// address among its IP addresses), or the connection is refused. Plain `amqp://` ignores these
/// settings; the daemon's configuration refuses them there (docs/deployment.md, "Transport
/// security").
public struct BrokerTLS: Sendable, Hashable {
    /// Debian's bundle of the system's trusted CAs (package `ca-certificates`).
    public static let systemCAFile = "/etc/ssl/certs/ca-certificates.crt"

    /// PEM file of the CA certificate(s) the broker's certificate must chain to; nil trusts
    /// ``systemCAFile``.
    public var caFile: String?
    /// PEM certificate (chain) shown to a broker that asks for one (`ssl_options.verify =
    /// verify_peer`); needs ``clientKeyFile``.
    public var clientCertificateFile: String?
    /// Unencrypted PEM private key of ``clientCertificateFile``.
    public var clientKeyFile: String?

    public init(caFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil) {
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
    }

    /// The CA file in use: ``caFile`` or the system's.
    public var trustedCAFile: String { caFile ?? Self.systemCAFile }
}

extension BrokerTLS: CustomStringConvertible {
    public var description: String {
        var text = "ca_file: \(trustedCAFile)"
        if let clientCertificateFile { text += ", client_cert_file: \(clientCertificateFile)" }
        return text
    }
}
