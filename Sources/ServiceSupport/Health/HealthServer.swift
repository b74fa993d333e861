import Logging
import NIOCore
import NIOHTTP1
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
        try await HTTPListener(address: address, requestTimeout: requestTimeout)
            .run(serving: "health endpoints", logger: logger, onListening: onListening) { request in
                try await respond(to: request.head, on: request.responses)
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
