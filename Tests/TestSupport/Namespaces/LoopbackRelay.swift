import Foundation

/// Makes a TCP service on the root namespace's loopback (the broker, the database) reachable on
/// the same port of a namespace's own loopback, as design §6 describes: `socat` listens inside
/// the namespace and forwards over a Unix socket to a second `socat` in the root namespace, so
/// every TCP connection stays on a loopback.
public final class LoopbackRelay: @unchecked Sendable {
    private let inside: Process
    private let outside: Process
    private let socketPath: String

    /// Starts relaying `127.0.0.1:port` inside `namespace` to `127.0.0.1:port` outside, and
    /// waits until the inside end listens.
    public init(namespace: NetworkNamespace, port: Int) throws {
        socketPath = "/tmp/n0relay-\(namespace.name)-\(port).sock"
        try? FileManager.default.removeItem(atPath: socketPath)
        outside = try Self.launch(["socat", "UNIX-LISTEN:\(socketPath),fork,unlink-early",
                                   "TCP:127.0.0.1:\(port)"])
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: socketPath) { usleep(20_000) }
        inside = try Self.launch(["ip", "netns", "exec", namespace.name, "socat",
                                  "TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork", "UNIX-CONNECT:\(socketPath)"])
        for _ in 0..<100 {
            if let result = try? namespace.run(["sh", "-c", "ss -ltnH 'sport = :\(port)' | grep -q LISTEN"]),
               result.status == 0 { return }
            usleep(20_000)
        }
        stop()
        throw RelayError(description: "socat did not start listening on 127.0.0.1:\(port) in \(namespace.name)")
    }

    /// Stops both ends.
    public func stop() {
        inside.stop()
        outside.stop()
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    private static func launch(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    struct RelayError: Error, CustomStringConvertible {
        let description: String
    }
}
