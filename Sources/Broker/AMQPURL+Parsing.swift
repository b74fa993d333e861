extension AMQPURL {
    /// Parses `amqp://[user[:password]@]host[:port][/vhost]` and the same with `amqps://`.
    ///
    /// - Throws: ``BrokerError/invalidURL(_:)`` with a reason that never quotes the password.
    public init(parsing text: String) throws {
        let lowercased = text.lowercased()
        guard let scheme = [Scheme.amqps, .amqp].first(where: { lowercased.hasPrefix("\($0.rawValue)://") }) else {
            throw BrokerError.invalidURL("scheme must be amqp:// or amqps:// (TLS)")
        }
        var rest = Substring(text.dropFirst(scheme.rawValue.count + 3))
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }

        let authority: Substring
        let path: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        } else {
            authority = rest
            path = ""
        }

        self.init(scheme: scheme)
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
            let userPart: Substring
            var passwordPart: Substring?
            if let colon = userInfo.firstIndex(of: ":") {
                userPart = userInfo[..<colon]
                passwordPart = userInfo[userInfo.index(after: colon)...]
            } else {
                userPart = userInfo
            }
            guard let user = Self.percentDecoded(userPart) else {
                throw BrokerError.invalidURL("malformed percent-encoding in the user name")
            }
            if !user.isEmpty { self.user = user }
            if let passwordPart {
                guard let password = Self.percentDecoded(passwordPart) else {
                    throw BrokerError.invalidURL("malformed percent-encoding in the password")
                }
                self.password = password
            }
        }

        var portPart: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else {
                throw BrokerError.invalidURL("unterminated IPv6 address")
            }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw BrokerError.invalidURL("unexpected text after the IPv6 address") }
                portPart = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            portPart = hostPort[hostPort.index(after: colon)...]
        } else {
            host = String(hostPort)
        }
        if host.isEmpty { host = "localhost" }
        if let portPart, !portPart.isEmpty {
            guard let port = Int(portPart), (1...65535).contains(port) else {
                throw BrokerError.invalidURL("port must be a number between 1 and 65535")
            }
            self.port = port
        }

        guard !path.contains("/") else {
            throw BrokerError.invalidURL("the vhost must be a single path segment (write '/' as %2f)")
        }
        guard let vhost = Self.percentDecoded(path) else {
            throw BrokerError.invalidURL("malformed percent-encoding in the vhost")
        }
        self.vhost = vhost.isEmpty ? "/" : vhost
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed or the result is not UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
