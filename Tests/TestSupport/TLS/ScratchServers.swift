import Foundation

/// What the TLS suites need to start a RabbitMQ node and a PostgreSQL cluster of their own:
/// root (they run as the `rabbitmq` and `postgres` users), `openssl`, `setpriv`, and
/// the Debian packages `rabbitmq-server` and `postgresql`.
///
/// Like ``IntegrationEnvironment``: a missing tool skips the suite loudly on a developer's
/// machine and fails it under `CI=true` (the suite runs, and starting the server throws,
/// naming what is missing).
public enum ScratchServers {
    public static let rabbitmqServer = "/usr/lib/rabbitmq/bin/rabbitmq-server"

    /// The newest PostgreSQL's programs (`/usr/lib/postgresql/VERSION/bin`), nil without one.
    public static let postgresBinDirectory: String? = {
        let base = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return versions.compactMap(Int.init).sorted().reversed()
            .map { "\(base)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }()

    public static let canStartRabbitMQ: Bool = enabled("a RabbitMQ node with TLS", missing: missingForRabbitMQ())
    public static let canStartPostgreSQL: Bool = enabled("a PostgreSQL cluster with TLS", missing: missingForPostgreSQL())

    static func missingForRabbitMQ() -> [String] {
        commonMissing() + (FileManager.default.isExecutableFile(atPath: rabbitmqServer) ? [] : ["\(rabbitmqServer) (rabbitmq-server)"])
            + (onPath("setpriv") ? [] : ["setpriv (util-linux)"])
    }

    static func missingForPostgreSQL() -> [String] {
        commonMissing() + (postgresBinDirectory == nil ? ["/usr/lib/postgresql/*/bin/initdb (postgresql)"] : [])
            + (onPath("setpriv") ? [] : ["setpriv (util-linux)"])
    }

    private static func commonMissing() -> [String] {
        (getuid() == 0 ? [] : ["root (the servers run as their own users)"]) + (onPath("openssl") ? [] : ["openssl"])
    }

    static func onPath(_ tool: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return directories.contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    private static func enabled(_ what: String, missing: [String]) -> Bool {
        if missing.isEmpty || IntegrationEnvironment.isCI { return true }
        print("""

            ************************************************************************************
            * SKIPPING the TLS tests that start \(what): missing \(missing.joined(separator: ", ")).
            * (With CI=true these tests fail instead of being skipped.)
            ************************************************************************************

            """)
        return false
    }

    static func requireTools(_ missing: [String], for what: String) throws {
        guard missing.isEmpty else {
            throw ScratchServerError(description: "cannot start \(what): missing \(missing.joined(separator: ", "))")
        }
    }

    /// A new directory under the temporary directory that other users may enter.
    static func makeDirectory(_ prefix: String) throws -> String {
        let path = "\(FileManager.default.temporaryDirectory.path)/\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        return path
    }

    /// Copies `source` to `destination`, owned by `owner` (`user:group`) with `mode`.
    static func install(_ source: String, to destination: String, owner: String, mode: Int) throws {
        try FileManager.default.copyItem(atPath: source, toPath: destination)
        try HostCommand.check(["chown", owner, destination])
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: destination)
    }

    /// Whether something accepts TCP connections on `address`:`port`.
    static func accepts(_ address: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(UInt16(port).bigEndian)
        target.sin_addr.s_addr = inet_addr(address)
        return withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Runs blocking set-up (`openssl`, `initdb`) on a thread of its own, off the pool
    /// every test's tasks share.
    static func offPool<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
        }
    }

    /// Starts `process` with no signal blocked. A child inherits the blocked signals of the
    /// thread that starts it, and every thread here has them blocked: the server would never see
    /// the SIGTERM or SIGINT that asks it to shut down cleanly. Call it on a thread of its own
    /// (``offPool(_:)``): the mask is that thread's, restored afterwards.
    static func runWithSignalsUnblocked(_ process: Process) throws {
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }

    /// The last `lines` lines of the file at `path` (for an error that says why a server died).
    static func tail(_ path: String, lines: Int = 30) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(no log at \(path))"
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

public struct ScratchServerError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
