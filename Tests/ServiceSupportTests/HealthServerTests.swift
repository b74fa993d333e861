import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceSupport
import Testing

/// The daemons' health listener over a raw TCP connection: what a probe or a Prometheus scrape
/// sends, byte for byte.
@Suite("Health server")
struct HealthServerTests {
    @Test("/healthz, /readyz and /metrics answer; anything else is 404 or 405")
    func routes() async throws {
        let readiness = Readiness()
        readiness.add("broker") { true }
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "n0core_test_total").increment(by: Int64(3))
        try await withHealthServer(readiness: readiness, registry: registry) { port in
            let health = try await exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(health.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(health.contains("Connection: close\r\n"))
            #expect(health.hasSuffix("\r\n\r\nok\n"))

            let ready = try await exchange(port, "GET /readyz?verbose=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(ready.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(ready.hasSuffix("ready\nbroker: ok\n"))

            let metrics = try await exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(metrics.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
            #expect(metrics.contains("n0core_test_total 3\n"))

            let missing = try await exchange(port, "GET /api/spec HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(missing.hasPrefix("HTTP/1.1 404 Not Found\r\n"))

            let post = try await exchange(port, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
            #expect(post.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
            #expect(post.contains("Allow: GET, HEAD\r\n"))

            let head = try await exchange(port, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(head.hasSuffix("\r\n\r\n"))
        }
    }

    @Test("/readyz is 503 and names the dependency that is down")
    func notReady() async throws {
        let readiness = Readiness()
        readiness.add("broker") { true }
        readiness.add("libvirt") { false }
        try await withHealthServer(readiness: readiness, registry: PrometheusCollectorRegistry()) { port in
            let ready = try await exchange(port, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(ready.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
            #expect(ready.hasSuffix("not ready\nbroker: ok\nlibvirt: down\n"))
        }
    }

    @Test("a client that sends no complete request is disconnected at the request timeout")
    func slowClient() async throws {
        try await withHealthServer(readiness: Readiness(), registry: PrometheusCollectorRegistry(),
                                   requestTimeout: .milliseconds(300)) { port in
            let started = ContinuousClock.now
            let reply = try await exchange(port, "GET /healthz HTTP/1.1\r\n")
            #expect(reply.isEmpty)
            #expect(ContinuousClock.now - started < .seconds(5))
            // The listener still serves others.
            #expect(try await exchange(port, "GET /healthz HTTP/1.1\r\n\r\n").hasSuffix("ok\n"))
        }
    }

    private func withHealthServer(
        readiness: Readiness, registry: PrometheusCollectorRegistry, requestTimeout: Duration = .seconds(10),
        _ body: (Int) async throws -> Void
    ) async throws {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let server = HealthServer(
            address: ListenAddress(host: "127.0.0.1", port: 0),
            routes: HealthRoutes(readiness: readiness, metrics: registry), serverName: "n0core-test",
            requestTimeout: requestTimeout, logger: Logger(label: "health-test")
        ) { listening.yield($0) }
        let running = Task { try await server.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(port)
    }

    /// Sends `request` as is and returns everything the server writes until it closes.
    private func exchange(_ port: Int, _ request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var reply = ""
            for try await chunk in inbound {
                reply += String(buffer: chunk)
            }
            return reply
        }
    }
}
