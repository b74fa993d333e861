/// A `HOST:PORT` to listen on, as written in configuration (`127.0.0.1:8080`).
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; `key` names the setting in the error.
    public init(parsing text: String, key: String) throws {
        guard let colon = text.lastIndex(of: ":"),
              let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port),
              colon != text.startIndex
        else {
            throw ConfigurationError.invalid(key: key, value: text, expected: "HOST:PORT, e.g. 127.0.0.1:8080")
        }
        self.host = String(text[..<colon])
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}
