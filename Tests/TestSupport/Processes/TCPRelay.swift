import Broker
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A relay on a loopback port to a server (socat, from Debian), which a test starts, stops or
/// freezes to take the broker or the database away from one client without stopping it for
/// everyone else.
public final class TCPRelay: Sendable {
    public let port: Int
    let targetHost: String
    let targetPort: Int
    private let process = Mutex<Process?>(nil)

    public init(host: String, port: Int) {
        targetHost = host
        targetPort = port
        self.port = TCPPort.free()
    }

    public convenience init(target: AMQPURL) {
        self.init(host: target.host, port: target.port)
    }

    /// Starts relaying (again).
    public func start() throws {
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
        relay.arguments = ["TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork", "TCP:\(targetHost):\(targetPort)"]
        try relay.run()
        process.withLock { $0 = relay }
    }

    /// Stops relaying: connections through it close, new ones are refused.
    public func stop() {
        guard let relay = process.withLock({ $0 }) else { return }
        relay.stop()
    }

    /// Freezes the relay (SIGSTOP): its connections go silent without closing, as a half-dead
    /// network path does. ``thaw()`` lets them speak again.
    public func freeze() {
        guard let relay = process.withLock({ $0 }) else { return }
        kill(relay.processIdentifier, SIGSTOP)
        for child in relay.childProcessIdentifiers { kill(child, SIGSTOP) }
    }

    public func thaw() {
        guard let relay = process.withLock({ $0 }) else { return }
        for child in relay.childProcessIdentifiers { kill(child, SIGCONT) }
        kill(relay.processIdentifier, SIGCONT)
    }
}

extension Process {
    /// The processes this one started (socat forks one per connection).
    var childProcessIdentifiers: [Int32] {
        let path = "/proc/\(processIdentifier)/task/\(processIdentifier)/children"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: " ").compactMap { Int32($0) }
    }
}
