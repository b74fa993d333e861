import Broker
import Foundation

/// A RabbitMQ node of a test's own with only a TLS listener, never the dev broker: its own node
/// name, ports, `HOME` (Erlang cookie), data and log directories, no plugins. It listens on
/// 127.0.0.1 and 127.0.0.2 (see ``TestCertificates``), asks clients for a certificate signed by
/// the suite's CA (`verify_peer`, `fail_if_no_peer_cert`), and creates its vhost and user at its
/// first boot from the configuration file, so no `rabbitmqctl` (and no shared cookie) is needed.
/// Starting takes 10-20 s: one node per suite.
public final class ScratchRabbitMQ: @unchecked Sendable {
    // @unchecked Sendable: `process` is only read after `init`; Process itself is thread-safe.

    public let directory: String
    public let certificates: TestCertificates
    public let port: Int
    public let user = "n0core-tls"
    public let password = UUID().uuidString
    public let vhost = "n0core-tls"
    private let process: Process

    public var logFile: String { "\(directory)/log/node.log" }
    var consoleFile: String { "\(directory)/console.log" }

    /// The end of the node's console output and log, for an error that says why it failed.
    var diagnostics: String {
        "console:\n\(ScratchServers.tail(consoleFile, lines: 15))\nlog:\n\(ScratchServers.tail(logFile))"
    }

    /// Makes certificates, writes the configuration and starts the node; returns once its TLS
    /// listener accepts connections.
    public static func start() async throws -> ScratchRabbitMQ {
        try ScratchServers.requireTools(ScratchServers.missingForRabbitMQ(), for: "a RabbitMQ node")
        let directory = try ScratchServers.makeDirectory("n0core-tls-rabbitmq")
        let node: ScratchRabbitMQ
        do {
            node = try await ScratchServers.offPool {
                try ScratchRabbitMQ(directory: directory,
                                    certificates: TestCertificates.make(in: "\(directory)/certificates", clientName: "n0core-tls-client"))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        do {
            try await node.waitUntilListening(timeout: .seconds(120))
        } catch {
            await node.stop()
            throw error
        }
        return node
    }

    private init(directory: String, certificates: TestCertificates) throws {
        self.directory = directory
        self.certificates = certificates
        port = TCPPort.free()
        let serverDirectory = "\(directory)/server"
        for subdirectory in ["server", "mnesia", "log", "home"] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(subdirectory)", withIntermediateDirectories: true)
        }
        try ScratchServers.install(certificates.caFile, to: "\(serverDirectory)/ca.pem", owner: "rabbitmq:rabbitmq", mode: 0o644)
        try ScratchServers.install(certificates.serverCertificateFile, to: "\(serverDirectory)/server.pem",
                                   owner: "rabbitmq:rabbitmq", mode: 0o644)
        try ScratchServers.install(certificates.serverKeyFile, to: "\(serverDirectory)/server.key",
                                   owner: "rabbitmq:rabbitmq", mode: 0o600)
        let configuration = """
            listeners.tcp = none
            listeners.ssl.1 = \(TestCertificates.serverAddress):\(port)
            listeners.ssl.2 = \(TestCertificates.unnamedAddress):\(port)
            ssl_options.cacertfile = \(serverDirectory)/ca.pem
            ssl_options.certfile = \(serverDirectory)/server.pem
            ssl_options.keyfile = \(serverDirectory)/server.key
            ssl_options.verify = verify_peer
            ssl_options.fail_if_no_peer_cert = true
            default_vhost = \(vhost)
            default_user = \(user)
            default_pass = \(password)
            default_permissions.configure = .*
            default_permissions.read = .*
            default_permissions.write = .*
            log.file.level = info
            log.console = false

            """
        try configuration.write(toFile: "\(directory)/rabbitmq.conf", atomically: true, encoding: .utf8)
        try "[].\n".write(toFile: "\(directory)/enabled_plugins", atomically: true, encoding: .utf8)
        try "".write(toFile: "\(directory)/rabbitmq-env.conf", atomically: true, encoding: .utf8)
        try HostCommand.check(["chown", "-R", "rabbitmq:rabbitmq", directory])

        let nodeName = "n0tls-\(UUID().uuidString.prefix(8).lowercased())@localhost"
        let environment = [
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "\(directory)/home", "LANG": "C.UTF-8",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODENAME": nodeName,
            // The default would be the AMQP port + 20000, the dev node's 25672.
            "RABBITMQ_DIST_PORT": "\(TCPPort.free())",
            "RABBITMQ_CONFIG_FILE": "\(directory)/rabbitmq.conf",
            "RABBITMQ_ADVANCED_CONFIG_FILE": "\(directory)/advanced.config",
            "RABBITMQ_CONF_ENV_FILE": "\(directory)/rabbitmq-env.conf",
            "RABBITMQ_ENABLED_PLUGINS_FILE": "\(directory)/enabled_plugins",
            "RABBITMQ_MNESIA_BASE": "\(directory)/mnesia",
            "RABBITMQ_LOG_BASE": "\(directory)/log",
            "RABBITMQ_LOGS": "\(directory)/log/node.log",
            "RABBITMQ_PID_FILE": "\(directory)/node.pid",
        ]
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Erlang sizes its port table by the descriptor limit: at most 65536, as deploy/chaos.sh.
        process.arguments = ["-c", """
            limit=$(ulimit -Hn); if [ "$limit" = unlimited ] || [ "$limit" -gt 65536 ]; then limit=65536; fi
            ulimit -n "$limit" && cd "$HOME" && exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$0"
            """, ScratchServers.rabbitmqServer]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        // What the node prints before its logger is up (a configuration it refuses).
        let consolePath = "\(directory)/console.log"
        _ = FileManager.default.createFile(atPath: consolePath, contents: nil)
        let console = try FileHandle(forWritingTo: URL(fileURLWithPath: consolePath))
        process.standardOutput = console
        process.standardError = console
        try ScratchServers.runWithSignalsUnblocked(process)
    }

    private func waitUntilListening(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if ScratchServers.accepts(TestCertificates.serverAddress, port: port) { return }
            guard process.isRunning else {
                throw ScratchServerError(description: """
                    the test's RabbitMQ node exited with status \(process.terminationStatus)
                    \(diagnostics)
                    """)
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ScratchServerError(description: "the test's RabbitMQ node did not listen within \(timeout)\n\(diagnostics)")
    }

    /// The node's URL for `host` (`localhost`, `127.0.0.1`, `127.0.0.2`).
    public func url(host: String = TestCertificates.serverDNSName) -> AMQPURL {
        AMQPURL(scheme: .amqps, host: host, port: port, user: user, password: password, vhost: vhost)
    }

    /// TLS settings trusting the suite's CA (or `caFile`) and showing its client certificate.
    public func tls(caFile: String? = nil, withClientCertificate: Bool = true) -> BrokerTLS {
        BrokerTLS(caFile: caFile ?? certificates.caFile,
                  clientCertificateFile: withClientCertificate ? certificates.clientCertificateFile : nil,
                  clientKeyFile: withClientCertificate ? certificates.clientKeyFile : nil)
    }

    /// Stops the node (SIGTERM: a clean shutdown; SIGKILL after 20 s) and deletes its directory.
    public func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        process.stop(grace: .zero)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
