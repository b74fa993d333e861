import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The daemons' HTTP listener for ``HealthRoutes`` (`health.listen`), on SwiftNIO's HTTP/1.1
/// codec alone: a scrape or a probe needs three GET routes, not a web framework, and the
/// agents should not carry one.
///
/// Each connection answers one request and closes (`Connection: close`), and one that sends no
/// complete request within `requestTimeout` (10 s) is closed, so idle or slow clients hold
/// nothing.
public struct HealthServer: Service {
    let address: ListenAddress
    let routes: HealthRoutes
    let serverName: String
    let requestTimeout: Duration
    let logger: Logger
    /// Called with the bound port once listening (tests bind port 0).
    let onListening: @Sendable (Int) -> Void

    public init(address: ListenAddress, routes: HealthRoutes, serverName: String, requestTimeout: Duration = .seconds(10),
                logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.address = address
        self.routes = routes
        self.serverName = serverName
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? address.port
        logger.info("serving health endpoints", metadata: ["listen": "\(address.host):\(port)"])
        onListening(port)
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { await serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let channel = connection.channel
        let timer = Task {
            try await Task.sleep(for: requestTimeout)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            try await connection.executeThenClose { requests, responses in
                var head: HTTPRequestHead?
                for try await part in requests {
                    switch part {
                    case .head(let received):
                        head = received
                    case .body:
                        continue
                    case .end:
                        guard let head else { return }
                        timer.cancel()
                        try await respond(to: head, on: responses)
                        return
                    }
                }
            }
        } catch {
            logger.debug("a health connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private func respond(to request: HTTPRequestHead, on responses: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let allowed = request.method == .GET || request.method == .HEAD
        let answer: HealthRoutes.Response
        if !allowed {
            answer = .init(status: 405, contentType: "text/plain; charset=utf-8", body: Array("method not allowed: use GET\n".utf8))
        } else if path.hasPrefix("/"), let found = await routes.respond(to: String(path.dropFirst())) {
            answer = found
        } else {
            answer = .init(status: 404, contentType: "text/plain; charset=utf-8",
                           body: Array("not found; this listener serves /healthz, /readyz and /metrics\n".utf8))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: answer.contentType)
        headers.add(name: "Content-Length", value: "\(answer.body.count)")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Server", value: serverName)
        if !allowed { headers.add(name: "Allow", value: "GET, HEAD") }
        try await responses.write(.head(HTTPResponseHead(version: request.version, status: .init(statusCode: answer.status), headers: headers)))
        if request.method != .HEAD {
            try await responses.write(.body(.byteBuffer(ByteBuffer(bytes: answer.body))))
        }
        try await responses.write(.end(nil))
    }
}
