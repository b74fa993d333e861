import Broker
import Foundation
import Synchronization
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A relay on a loopback port to the broker (socat, from Debian), which a test starts and
/// stops to take the broker away from one client without stopping it for everyone else.
final class TCPRelay: Sendable {
    let port: Int
    let target: AMQPURL
    private let process = Mutex<Process?>(nil)

    init(target: AMQPURL) {
        self.target = target
        self.port = Self.freePort()
    }

    func start() throws {
        let relay = Process()
        relay.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
        relay.arguments = ["TCP-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork", "TCP:\(target.host):\(target.port)"]
        try relay.run()
        process.withLock { $0 = relay }
    }

    func stop() {
        guard let relay = process.withLock({ $0 }) else { return }
        relay.stop()
    }

    /// A port nothing listens on now (the kernel's pick for port 0).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
