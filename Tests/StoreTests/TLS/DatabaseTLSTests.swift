import Foundation
import Logging
import PostgresNIO
import Store
import Synchronization
import TestSupport
import Testing

/// `sslmode=verify-full` (and `verify-ca`) against a PostgreSQL cluster the suite starts for
/// itself (TestSupport's ``ScratchPostgreSQL``: TLS connections only, client certificates
/// required), with certificates the suite makes. Every connection goes through what a daemon
/// uses: a `DatabaseURL`'s pool configuration and a `Store`. Skipped loudly without root,
/// `openssl` or PostgreSQL; failing under `CI=true`.
@Suite("Database over TLS (a PostgreSQL cluster of its own)", .enabled(if: ScratchServers.canStartPostgreSQL), .scratchPostgreSQL)
struct DatabaseTLSTests {
    /// By address (the certificate's IP address) and by name (its DNS name); the store migrates
    /// and the server reports the session encrypted.
    @Test(arguments: [TestCertificates.serverAddress, TestCertificates.serverDNSName])
    func verifyFullConnectsWithTheCA(host: String) async throws {
        let cluster = try ScratchPostgreSQLScope.cluster()
        let url = try DatabaseURL(cluster.url(host: host, "sslmode=verify-full&" + cluster.certificateParameters()))
        #expect(url.tlsMode == .verifyFull)
        let (encrypted, version) = try await Self.withStore(url) { store in
            _ = try await store.migrate()
            let rows = try await store.client.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            var result: (Bool, String) = (false, "")
            for try await row in rows.decode((Bool, String).self) { result = row }
            return result
        }
        #expect(encrypted)
        #expect(version.hasPrefix("TLSv1."), "\(version)")
    }

    /// The server's certificate is signed by a CA the URL does not trust: no connection, and the
    /// pool's log (a daemon's log) says why.
    @Test func verifyFullFailsWithAnotherCA() async throws {
        let cluster = try ScratchPostgreSQLScope.cluster()
        let url = try DatabaseURL(cluster.url(
            "sslmode=verify-full&" + cluster.certificateParameters(caFile: cluster.certificates.otherCAFile)))
        let failure = try await Self.firstConnectionFailure(url)
        #expect(failure.contains("CERTIFICATE_VERIFY_FAILED"), "\(failure)")
    }

    /// 127.0.0.2 reaches the same cluster, whose certificate names only `localhost` and
    /// 127.0.0.1: `verify-full` refuses it, `verify-ca` (chain only) does not.
    @Test func verifyFullFailsForAnAddressTheCertificateDoesNotName() async throws {
        let cluster = try ScratchPostgreSQLScope.cluster()
        let host = TestCertificates.unnamedAddress
        let full = try DatabaseURL(cluster.url(host: host, "sslmode=verify-full&" + cluster.certificateParameters()))
        let failure = try await Self.firstConnectionFailure(full)
        #expect(failure.contains("failedToValidateHostname"), "\(failure)")

        let chainOnly = try DatabaseURL(cluster.url(host: host, "sslmode=verify-ca&" + cluster.certificateParameters()))
        try await Self.withStore(chainOnly) { store in try await store.ping(timeout: .seconds(10)) }
    }

    /// `sslmode=require` with `sslrootcert` checks the chain, as libpq does.
    @Test func requireWithARootCertificateChecksTheChain() async throws {
        let cluster = try ScratchPostgreSQLScope.cluster()
        let url = try DatabaseURL(cluster.url(
            "sslmode=require&" + cluster.certificateParameters(caFile: cluster.certificates.otherCAFile)))
        #expect(url.tlsMode == .verifyCA)
        let failure = try await Self.firstConnectionFailure(url)
        #expect(failure.contains("CERTIFICATE_VERIFY_FAILED"), "\(failure)")
    }

    // MARK: - Helpers

    static func withStore<Result: Sendable>(
        _ url: DatabaseURL, logger: Logger = Logger(label: "n0core.store.tls-tests"),
        _ body: (Store) async throws -> Result
    ) async throws -> Result {
        var configuration = url.configuration
        configuration.options.maximumConnections = 2
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(Store(client: client, logger: logger))
        }
    }

    /// Runs a pool on `url` until it logs a failed connection (what a daemon's log shows) and
    /// returns that line; fails the test if a query gets through instead.
    static func firstConnectionFailure(_ url: DatabaseURL) async throws -> String {
        let recorder = LineRecorder()
        return try await withStore(url, logger: recorder.logger) { store in
            await #expect(throws: (any Error).self, "a query got through an unverifiable connection") {
                try await store.ping(timeout: .seconds(3))
            }
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                if let line = recorder.lines.first(where: { $0.contains("Connection creation failed") }) { return line }
                try await Task.sleep(for: .milliseconds(100))
            }
            return "no connection failure logged; the log:\n" + recorder.lines.joined(separator: "\n")
        }
    }
}

/// Keeps every log line of a pool, with its metadata.
final class LineRecorder: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    var logger: Logger {
        var logger = Logger(label: "n0core.store.tls-tests") { _ in Handler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    struct Handler: LogHandler {
        let recorder: LineRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = metadata.merging(event.metadata ?? [:]) { $1 }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.storage.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
        }
    }
}

/// Starts the suite's PostgreSQL cluster once, for all of its tests, and stops it after them.
struct ScratchPostgreSQLScope: SuiteTrait, TestScoping {
    @TaskLocal static var current: ScratchPostgreSQL?

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let cluster = try await ScratchPostgreSQL.start()
        do {
            try await Self.$current.withValue(cluster) { try await function() }
        } catch {
            await cluster.stop()
            throw error
        }
        await cluster.stop()
    }

    static func cluster() throws -> ScratchPostgreSQL {
        guard let current else { throw ScratchServerError(description: "the suite's PostgreSQL cluster is not running") }
        return current
    }
}

extension Trait where Self == ScratchPostgreSQLScope {
    static var scratchPostgreSQL: Self { Self() }
}
