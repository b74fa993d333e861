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
        self.port = TCPPort.free()
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
}
