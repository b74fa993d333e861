extension AMQPURL {
    /// Parses one URL, or the nodes of one cluster as URLs separated by commas:
    /// `amqp://u:p@node1:5672/,amqp://u:p@node2:5672/`.
    ///
    /// A comma splits only where the next URL's scheme follows it, so a single URL whose password
    /// holds a literal comma still parses as before. The nodes must differ only in host and port:
    /// one set of credentials is what every message's `user_id` is checked against, and one
    /// vhost and scheme keeps the topology and the TLS settings the same on every node.
    ///
    /// - Throws: ``BrokerError/invalidURL(_:)``, naming the position of the offending URL.
    public static func list(parsing text: String) throws -> [AMQPURL] {
        let parts = splitAtSchemes(text)
        var urls: [AMQPURL] = []
        for (index, part) in parts.enumerated() {
            let url: AMQPURL
            do {
                url = try AMQPURL(parsing: part)
            } catch BrokerError.invalidURL(let reason) where parts.count > 1 {
                throw BrokerError.invalidURL("URL \(index + 1) of \(parts.count): \(reason)")
            }
            if let first = urls.first {
                guard url.scheme == first.scheme, url.user == first.user, url.password == first.password,
                      url.vhost == first.vhost
                else {
                    throw BrokerError.invalidURL(
                        "URL \(index + 1) of \(parts.count): every node needs the same scheme, user, password and vhost")
                }
                guard !urls.contains(where: { $0.host == url.host && $0.port == url.port }) else {
                    throw BrokerError.invalidURL("URL \(index + 1) of \(parts.count): \(url.host):\(url.port) is listed twice")
                }
            }
            urls.append(url)
        }
        return urls
    }

    /// The text cut before every comma that is followed (after blanks) by `amqp://` or `amqps://`.
    private static func splitAtSchemes(_ text: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(text)
        while let comma = rest.indices.first(where: { index in
            guard rest[index] == "," else { return false }
            let next = rest[rest.index(after: index)...].drop(while: \.isWhitespace).lowercased()
            return next.hasPrefix("amqp://") || next.hasPrefix("amqps://")
        }) {
            parts.append(rest[..<comma].trimmingWhitespace())
            rest = rest[rest.index(after: comma)...]
        }
        parts.append(rest.trimmingWhitespace())
        return parts
    }
}

private extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
