import CRabbitMQ
import Foundation

extension AMQPConnection {
    /// rabbitmq-c sets OpenSSL up once for the whole process, under a lock of its own; doing it
    /// here, once (a `static let` runs its initialiser exactly once, whichever worker thread comes
    /// first), keeps that step out of the connections' way and turns a failure into an error.
    private static let sslLibraryStatus: Int32 = amqp_initialize_ssl_library()

    /// A TLS socket on `state` that accepts only a broker whose certificate chains to a CA of
    /// `tls` and names `host`; it shows `tls`'s client certificate when one is configured.
    ///
    /// The socket belongs to `state` (destroyed with it), also when this throws.
    static func makeTLSSocket(_ state: amqp_connection_state_t, host: String, tls: BrokerTLS) throws -> OpaquePointer {
        let initialised = sslLibraryStatus
        guard initialised == AMQP_STATUS_OK.rawValue else {
            throw BrokerError.connectionFailed("cannot initialise OpenSSL: \(describe(initialised))")
        }
        guard let socket = amqp_ssl_socket_new(state) else {
            throw BrokerError.connectionFailed("cannot allocate a TLS socket")
        }
        amqp_ssl_socket_set_verify_peer(socket, 1)
        if isIPAddress(host) {
            // rabbitmq-c's own name check knows DNS names only; OpenSSL checks the address.
            amqp_ssl_socket_set_verify_hostname(socket, 0)
            guard n0core_amqp_ssl_socket_expect_ip_address(socket, host) == 1 else {
                throw BrokerError.connectionFailed("cannot set up the certificate check for address \(host)")
            }
        } else {
            amqp_ssl_socket_set_verify_hostname(socket, 1)
        }
        guard amqp_ssl_socket_set_ssl_versions(socket, AMQP_TLSv1_2, AMQP_TLSvLATEST) == AMQP_STATUS_OK.rawValue else {
            throw BrokerError.connectionFailed("cannot require TLS 1.2 or later")
        }
        let caFile = tls.trustedCAFile
        guard amqp_ssl_socket_set_cacert(socket, caFile) == AMQP_STATUS_OK.rawValue else {
            throw BrokerError.connectionFailed("cannot load CA certificates from \(caFile) (amqp.tls.ca_file)")
        }
        switch (tls.clientCertificateFile, tls.clientKeyFile) {
        case (nil, nil):
            break
        case let (certificate?, key?):
            guard amqp_ssl_socket_set_key(socket, certificate, key) == AMQP_STATUS_OK.rawValue else {
                throw BrokerError.connectionFailed(
                    "cannot load the client certificate \(certificate) with the key \(key) "
                        + "(amqp.tls.client_cert_file, amqp.tls.client_key_file; the key must be unencrypted PEM)")
            }
        default:
            throw BrokerError.connectionFailed(
                "a client certificate needs both amqp.tls.client_cert_file and amqp.tls.client_key_file")
        }
        return socket
    }

    /// What a failed TLS open means, beyond rabbitmq-c's short text.
    static func explainTLSFailure(_ status: Int32, host: String, port: Int, tls: BrokerTLS) -> String? {
        switch status {
        case AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue:
            isIPAddress(host)
                ? "the broker's certificate is not signed by a CA in \(tls.trustedCAFile), is not valid now, "
                    + "or does not list the IP address \(host)"
                : "the broker's certificate is not signed by a CA in \(tls.trustedCAFile) or is not valid now"
        case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue:
            "the broker's certificate does not name \(host)"
        case AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue:
            "is \(host):\(port) a TLS listener, and does the broker accept the client certificate "
                + "(if it asks for one)?"
        default:
            nil
        }
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name.
    static func isIPAddress(_ host: String) -> Bool {
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        return inet_pton(AF_INET, host, &ipv4) == 1 || inet_pton(AF_INET6, host, &ipv6) == 1
    }
}
