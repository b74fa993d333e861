/// Where the broker is and how to log in: `amqp://user:password@host:port/vhost`.
///
/// Follows the RabbitMQ URI specification for the parts n0core uses: user, password and vhost
/// are percent-decoded (so vhost `/` is written `%2f`), a missing port is 5672, missing
/// credentials are `guest`/`guest`, and an empty path is the default vhost `/`.
///
/// The password never leaves this value by accident: ``description``, `debugDescription` and the
/// reflection used by `dump` all mask it, so a URL can be logged as is.
public struct AMQPURL: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String
    public var vhost: String

    public init(
        host: String = "localhost",
        port: Int = 5672,
        user: String = "guest",
        password: String = "guest",
        vhost: String = "/"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.vhost = vhost
    }
}

extension AMQPURL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The URL with the password replaced by `***`: safe for logs.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "amqp://\(Self.percentEncoded(user)):***@\(hostPart):\(port)/\(Self.percentEncoded(vhost))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "user": user, "password": "***", "vhost": vhost])
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
