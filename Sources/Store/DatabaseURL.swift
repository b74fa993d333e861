import Foundation
import PostgresNIO

/// A PostgreSQL connection URL as operators write it (`postgres://user:password@host:port/db`),
/// turned into the `PostgresClient.Configuration` the pool needs.
///
/// It understands the libpq query parameters an operator is likely to reach for:
/// - `sslmode`: `disable`, `allow`/`prefer` (TLS if offered, unverified), `require` (TLS,
///   unverified unless `sslrootcert` is given, as in libpq), `verify-ca` (certificate chain
///   checked, host name not), `verify-full` (chain and host name). When absent, a loopback host or
///   a Unix socket gets no TLS (the control plane's own database on the same machine) and any
///   other host gets `verify-full`: unlike libpq's `prefer`, a remote database is never reached
///   unverified unless the URL says so (docs/deployment.md, "Transport security").
/// - `sslrootcert`: PEM file of the CA certificate(s) the server's certificate must chain to;
///   without it, the system's trusted CAs.
/// - `sslcert`, `sslkey`: a client certificate (PEM, the key unencrypted) for servers whose
///   `pg_hba.conf` asks for one (`clientcert=verify-ca` / `verify-full`).
/// - `host=/path`: connect through the Unix socket in that directory (`.s.PGSQL.<port>`).
/// - `connect_timeout`: seconds.
/// - `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout`: milliseconds,
///   sent as the server settings of every connection. By default 30 s, 10 s and 60 s, so no
///   statement, lock wait or abandoned transaction holds a service (or another service's rows)
///   for ever; `0` turns one off.
///
/// The certificate files are read when the URL is parsed, so a missing or unreadable one stops a
/// daemon at start-up with the parameter's name instead of failing every connection later.
///
/// The ``description`` masks the password, so the URL can be logged at start-up.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full"
    }

    /// The TLS files of the URL, read.
    struct TLSFiles: Sendable, Equatable {
        var rootCertificates: [NIOSSLCertificate]?
        var clientCertificateChain: [NIOSSLCertificate]?
        var clientKey: NIOSSLPrivateKey?
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tlsMode: TLSMode
    /// `sslrootcert`, `sslcert`, `sslkey`: paths as written in the URL.
    public private(set) var rootCertificateFile: String?
    public private(set) var clientCertificateFile: String?
    public private(set) var clientKeyFile: String?
    private var tlsFiles = TLSFiles()
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

        rootCertificateFile = query["sslrootcert"]
        clientCertificateFile = query["sslcert"]
        clientKeyFile = query["sslkey"]
        switch query["sslmode"]?.lowercased() {
        case nil:
            tlsMode = Self.isLoopback(host) || unixSocketDirectory != nil ? .disable : .verifyFull
        case "disable": tlsMode = .disable
        case "allow", "prefer": tlsMode = .prefer
        case "require": tlsMode = rootCertificateFile == nil ? .require : .verifyCA
        case "verify-ca": tlsMode = .verifyCA
        case "verify-full": tlsMode = .verifyFull
        case let other?:
            throw .invalidURL("unknown sslmode '\(other)' (disable, prefer, require, verify-ca, verify-full)")
        }
        tlsFiles = try Self.readTLSFiles(root: rootCertificateFile, certificate: clientCertificateFile, key: clientKeyFile)

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
        context.minimumTLSVersion = .tlsv12
        if let roots = tlsFiles.rootCertificates { context.trustRoots = .certificates(roots) }
        if let chain = tlsFiles.clientCertificateChain, let key = tlsFiles.clientKey {
            context.certificateChain = chain.map { .certificate($0) }
            context.privateKey = .privateKey(key)
        }
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
            // The host name is checked against the certificate's DNS names, an IP address
            // against its IP addresses.
            context.certificateVerification = .fullVerification
            return .require(context)
        }
    }

    /// Reads the certificate files named in the URL; an error names the parameter and the file.
    private static func readTLSFiles(root: String?, certificate: String?, key: String?) throws(StoreError) -> TLSFiles {
        func certificates(_ path: String, _ parameter: String) throws(StoreError) -> [NIOSSLCertificate] {
            let loaded: [NIOSSLCertificate]
            do {
                loaded = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw .invalidURL("\(parameter): cannot read PEM certificates from \(path) (\(error))")
            }
            guard !loaded.isEmpty else { throw .invalidURL("\(parameter): \(path) holds no PEM certificate") }
            return loaded
        }
        var files = TLSFiles()
        if let root { files.rootCertificates = try certificates(root, "sslrootcert") }
        switch (certificate, key) {
        case (nil, nil):
            break
        case let (certificate?, key?):
            files.clientCertificateChain = try certificates(certificate, "sslcert")
            do {
                files.clientKey = try NIOSSLPrivateKey(file: key, format: .pem)
            } catch {
                throw .invalidURL("sslkey: cannot read an unencrypted PEM private key from \(key) (\(error))")
            }
        case (_?, nil):
            throw .invalidURL("sslcert needs sslkey (the client certificate's private key)")
        case (nil, _?):
            throw .invalidURL("sslkey needs sslcert (the client certificate)")
        }
        return files
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        var text = "postgres://\(username)"
        if password != nil { text += ":***" }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        text += "@\(shownHost):\(port)/\(database)"
        var parameters = ["sslmode=\(tlsMode.rawValue)"]
        if let rootCertificateFile { parameters.append("sslrootcert=\(rootCertificateFile)") }
        if let clientCertificateFile { parameters.append("sslcert=\(clientCertificateFile)") }
        if let unixSocketDirectory { parameters.append("host=\(unixSocketDirectory)") }
        return text + "?" + parameters.joined(separator: "&")
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
