/// Where the broker is and how to log in: `amqp://user:password@host:port/vhost`, or
/// `amqps://…` for AMQP over TLS.
///
/// Follows the RabbitMQ URI specification for the parts n0core uses: user, password and vhost
/// are percent-decoded (so vhost `/` is written `%2f`), a missing port is 5672 (5671 for
/// `amqps`), missing credentials are `guest`/`guest`, and an empty path is the default vhost `/`.
/// What TLS verifies against (CA file, client certificate) is ``BrokerTLS``, in the
/// ``BrokerConfiguration``.
///
/// The password never leaves this value by accident: ``description``, `debugDescription` and the
/// reflection used by `dump` all mask it, so a URL can be logged as is.
public struct AMQPURL: Sendable, Hashable {
    /// `amqp` (plain TCP) or `amqps` (TLS, the broker's certificate verified).
    public enum Scheme: String, Sendable, Hashable {
        case amqp, amqps

        /// The IANA port of the scheme: 5672, or 5671 with TLS.
        public var defaultPort: Int { self == .amqps ? 5671 : 5672 }
    }

    public var scheme: Scheme
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String

    /// - Parameter port: nil is the scheme's default port.
    public init(
        scheme: Scheme = .amqp,
        host: String = "localhost",
        port: Int? = nil,
        user: String = "guest",
        password: String = "guest",
        vhost: String = "/"
    ) {
        self.scheme = scheme
        self.host = host
        self.port = port ?? scheme.defaultPort
        self.user = user
        self.password = password
        self.vhost = vhost
    }
}

extension AMQPURL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The URL with the password replaced by `***`: safe for logs.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(Self.percentEncoded(user)):***@\(hostPart):\(port)/\(Self.percentEncoded(vhost))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["scheme": scheme.rawValue, "host": host, "port": port, "user": user, "password": "***", "vhost": vhost])
    }

    /// Escapes what would otherwise change the meaning of a URL part (`/`, `:`, `@`, `%`, …).
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let isUnreserved = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if isUnreserved {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }
}
