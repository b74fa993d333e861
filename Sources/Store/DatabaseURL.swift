import Foundation
import PostgresNIO

/// A PostgreSQL connection URL as operators write it (`postgres://user:password@host:port/db`),
/// turned into the `PostgresClient.Configuration` the pool needs.
///
/// It understands the libpq query parameters an operator is likely to reach for:
/// - `sslmode`: `disable`, `allow`/`prefer` (TLS if offered, unverified), `require` (TLS,
///   unverified), `verify-ca` (certificate checked, host name not), `verify-full`. When absent, a
///   loopback host gets no TLS (the control plane's own database on the same machine) and any other
///   host gets `prefer`, as libpq does.
/// - `host=/path`: connect through the Unix socket in that directory (`.s.PGSQL.<port>`).
/// - `connect_timeout`: seconds.
/// - `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout`: milliseconds,
///   sent as the server settings of every connection. By default 30 s, 10 s and 60 s, so no
///   statement, lock wait or abandoned transaction holds a service (or another service's rows)
///   for ever; `0` turns one off.
///
/// The ``description`` masks the password, so the URL can be logged at start-up.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// Directory of the server's Unix socket, when the URL asks for one with `host=/path`.
    public var unixSocketDirectory: String?
    public var connectTimeout: Duration?
    /// Server-side bounds in milliseconds (0: none), sent at connection start-up.
    public var statementTimeoutMilliseconds = 30_000
    public var lockTimeoutMilliseconds = 10_000
    public var idleInTransactionTimeoutMilliseconds = 60_000

    /// Parses `postgres://` or `postgresql://` URLs; user name and password may be
    /// percent-encoded. The database defaults to the user name, the port to 5432.
    public init(_ string: String) throws(StoreError) {
        guard let components = URLComponents(string: string),
              let scheme = components.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql"
        else {
            throw .invalidURL("expected postgres://user:password@host:port/database")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            query[item.name] = item.value ?? ""
        }

        let user = components.percentEncodedUser?.removingPercentEncoding ?? query["user"]
        guard let user, !user.isEmpty else {
            throw .invalidURL("the URL names no user")
        }
        username = user
        password = components.percentEncodedPassword?.removingPercentEncoding ?? query["password"]

        var hostName = components.host ?? ""
        if hostName.hasPrefix("["), hostName.hasSuffix("]") {
            hostName = String(hostName.dropFirst().dropLast())
        }
        if let socket = query["host"], socket.hasPrefix("/") {
            unixSocketDirectory = socket
        } else if hostName.isEmpty, let other = query["host"], !other.isEmpty {
            hostName = other
        }
        guard !hostName.isEmpty || unixSocketDirectory != nil else {
            throw .invalidURL("the URL names no host")
        }
        host = hostName.isEmpty ? "localhost" : hostName
        port = components.port ?? query["port"].flatMap { Int($0) } ?? 5432

        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let name = path.removingPercentEncoding ?? path
        database = name.isEmpty ? (query["dbname"] ?? user) : name

        switch query["sslmode"]?.lowercased() {
        case nil:
            tlsMode = Self.isLoopback(host) || unixSocketDirectory != nil ? .disable : .prefer
        case "disable": tlsMode = .disable
        case "allow", "prefer": tlsMode = .prefer
        case "require": tlsMode = .require
        case "verify-ca": tlsMode = .verifyCA
        case "verify-full": tlsMode = .verifyFull
        case let other?:
            throw .invalidURL("unknown sslmode '\(other)'")
        }

        if let seconds = query["connect_timeout"] {
            guard let value = Int(seconds), value >= 0 else {
                throw .invalidURL("connect_timeout must be a number of seconds")
            }
            connectTimeout = value > 0 ? .seconds(value) : nil
        }
        func milliseconds(_ name: String) throws(StoreError) -> Int? {
            guard let text = query[name] else { return nil }
            guard let value = Int(text), value >= 0 else {
                throw .invalidURL("\(name) must be a number of milliseconds (0 for none)")
            }
            return value
        }
        statementTimeoutMilliseconds = try milliseconds("statement_timeout") ?? statementTimeoutMilliseconds
        lockTimeoutMilliseconds = try milliseconds("lock_timeout") ?? lockTimeoutMilliseconds
        idleInTransactionTimeoutMilliseconds = try milliseconds("idle_in_transaction_session_timeout")
            ?? idleInTransactionTimeoutMilliseconds
    }

    /// The pool configuration for this URL, with PostgresNIO's defaults for everything the URL does
    /// not say (pool size, keep-alive). Adjust `options` on the result if a daemon needs more.
    public var configuration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let directory = unixSocketDirectory {
            configuration = .init(
                unixSocketPath: "\(directory)/.s.PGSQL.\(port)",
                username: username, password: password, database: database)
        } else {
            configuration = .init(
                host: host, port: port, username: username, password: password,
                database: database, tls: tls)
        }
        if let connectTimeout {
            configuration.options.connectTimeout = connectTimeout
        }
        configuration.options.additionalStartupParameters = [
            ("statement_timeout", "\(statementTimeoutMilliseconds)"),
            ("lock_timeout", "\(lockTimeoutMilliseconds)"),
            ("idle_in_transaction_session_timeout", "\(idleInTransactionTimeoutMilliseconds)"),
        ]
        return configuration
    }

    var tls: PostgresClient.Configuration.TLS {
        var context = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable:
            return .disable
        case .prefer:
            context.certificateVerification = .none
            return .prefer(context)
        case .require:
            context.certificateVerification = .none
            return .require(context)
        case .verifyCA:
            context.certificateVerification = .noHostnameVerification
            return .require(context)
        case .verifyFull:
            return .require(context)
        }
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        var text = "postgres://\(username)"
        if password != nil { text += ":***" }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        text += "@\(shownHost):\(port)/\(database)"
        var parameters = ["sslmode=\(tlsMode.rawValue)"]
        if let unixSocketDirectory { parameters.append("host=\(unixSocketDirectory)") }
        return text + "?" + parameters.joined(separator: "&")
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
