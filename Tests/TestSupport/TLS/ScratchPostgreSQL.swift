import Foundation

/// A PostgreSQL cluster of a test's own, never the dev database: `initdb` into a temporary
/// directory, its own port on 127.0.0.1 and 127.0.0.2 (see ``TestCertificates``), `ssl = on`
/// with the suite's server certificate, and `pg_hba.conf` accepting only TLS connections with a
/// password and a client certificate signed by the suite's CA whose name is the user
/// (`hostssl … scram-sha-256 clientcert=verify-full`). The postmaster runs in the foreground as
/// this process's child (as `postgres`). Starts in a few seconds.
public final class ScratchPostgreSQL: @unchecked Sendable {
    // @unchecked Sendable: `process` is only read after `init`; Process itself is thread-safe.

    public let directory: String
    public let certificates: TestCertificates
    public let port: Int
    /// The superuser, and the client certificate's common name.
    public static let user = "n0core-tls"
    public var user: String { Self.user }
    public let password: String
    public let database = "postgres"
    private let process: Process

    public var logFile: String { "\(directory)/server/postgresql.log" }

    /// Makes certificates, creates the cluster and starts it; returns once it accepts connections.
    public static func start() async throws -> ScratchPostgreSQL {
        try ScratchServers.requireTools(ScratchServers.missingForPostgreSQL(), for: "a PostgreSQL cluster")
        guard let bin = ScratchServers.postgresBinDirectory else {
            throw ScratchServerError(description: "no PostgreSQL programs under /usr/lib/postgresql")
        }
        let directory = try ScratchServers.makeDirectory("n0core-tls-postgresql")
        let cluster: ScratchPostgreSQL
        do {
            let (port, password) = (TCPPort.free(), UUID().uuidString)
            cluster = try await ScratchServers.offPool {
                let certificates = try TestCertificates.make(in: "\(directory)/certificates", clientName: user)
                try create(in: directory, certificates: certificates, port: port, password: password, bin: bin)
                return try ScratchPostgreSQL(directory: directory, certificates: certificates, port: port,
                                             password: password, bin: bin)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        do {
            try await cluster.waitUntilReady(timeout: .seconds(60))
        } catch {
            await cluster.stop()
            throw error
        }
        return cluster
    }

    /// Starts the postmaster in the foreground, as a child of this process: `pg_ctl start` would
    /// leave a daemon holding the descriptor Foundation watches to learn that its child exited.
    private init(directory: String, certificates: TestCertificates, port: Int, password: String, bin: String) throws {
        self.directory = directory
        self.certificates = certificates
        self.port = port
        self.password = password
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["-C", "/", "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                             "\(bin)/postgres", "-D", "\(directory)/data"]
        process.standardInput = FileHandle.nullDevice
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/server/postgresql.log"))
        process.standardOutput = log
        process.standardError = log
        try ScratchServers.runWithSignalsUnblocked(process)
    }

    private func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            if log.contains("database system is ready to accept connections") { return }
            guard process.isRunning else {
                throw ScratchServerError(description: """
                    the test's PostgreSQL exited with status \(process.terminationStatus); its log:
                    \(ScratchServers.tail(logFile))
                    """)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ScratchServerError(description: "the test's PostgreSQL was not ready within \(timeout):\n\(ScratchServers.tail(logFile))")
    }

    /// The cluster's URL for `host` with the query `parameters` (`sslmode=…&sslrootcert=…`).
    public func url(host: String = TestCertificates.serverAddress, _ parameters: String) -> String {
        "postgres://\(user):\(password)@\(host):\(port)/\(database)?\(parameters)"
    }

    /// `sslrootcert`, `sslcert` and `sslkey` of the suite's files, trusting `caFile` (default: the
    /// suite's CA).
    public func certificateParameters(caFile: String? = nil) -> String {
        "sslrootcert=\(caFile ?? certificates.caFile)&sslcert=\(certificates.clientCertificateFile)&sslkey=\(certificates.clientKeyFile)"
    }

    /// `initdb` and the settings: TLS with the suite's certificates, TLS-only access.
    private static func create(in directory: String, certificates: TestCertificates, port: Int, password: String,
                               bin: String) throws {
        let server = "\(directory)/server"
        let data = "\(directory)/data"
        try FileManager.default.createDirectory(atPath: server, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        try ScratchServers.install(certificates.caFile, to: "\(server)/ca.pem", owner: "postgres:postgres", mode: 0o644)
        try ScratchServers.install(certificates.serverCertificateFile, to: "\(server)/server.pem", owner: "postgres:postgres", mode: 0o644)
        // PostgreSQL refuses a key others can read.
        try ScratchServers.install(certificates.serverKeyFile, to: "\(server)/server.key", owner: "postgres:postgres", mode: 0o600)
        let passwordFile = "\(server)/password"
        try password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: "\(server)/postgresql.log", contents: nil)
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: "\(directory)/socket", withIntermediateDirectories: false)
        try HostCommand.check(["chown", "postgres:postgres", passwordFile, "\(server)/postgresql.log", data, "\(directory)/socket"])

        try HostCommand.check(["env", "-C", "/", "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                               "\(bin)/initdb", "-D", data, "-U", user, "--pwfile=\(passwordFile)",
                               "--auth-local=peer", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8"])
        let settings = """

            listen_addresses = '\(TestCertificates.serverAddress),\(TestCertificates.unnamedAddress)'
            port = \(port)
            unix_socket_directories = '\(directory)/socket'
            ssl = on
            ssl_cert_file = '\(server)/server.pem'
            ssl_key_file = '\(server)/server.key'
            ssl_ca_file = '\(server)/ca.pem'
            fsync = off

            """
        let configuration = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(data)/postgresql.conf"))
        configuration.seekToEndOfFile()
        configuration.write(Data(settings.utf8))
        try configuration.close()
        let access = """
            local all all peer
            hostssl all all \(TestCertificates.serverAddress)/32 scram-sha-256 clientcert=verify-full
            hostssl all all \(TestCertificates.unnamedAddress)/32 scram-sha-256 clientcert=verify-full

            """
        try access.write(toFile: "\(data)/pg_hba.conf", atomically: true, encoding: .utf8)
        try HostCommand.check(["chown", "postgres:postgres", "\(data)/pg_hba.conf"])
    }

    /// Stops the cluster (SIGINT: a fast shutdown; SIGKILL after 20 s) and deletes its directory.
    public func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        process.stop(grace: .zero)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
