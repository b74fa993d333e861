import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Where the API listens, from `--api http://HOST:PORT`.
public struct APIEndpoint: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://HOST[:PORT][/]`; the benchmark speaks plain HTTP to a local API.
    public init(parsing text: String) throws {
        guard let components = URLComponents(string: text), components.scheme == "http",
              let host = components.host, !host.isEmpty, ["", "/"].contains(components.path) else {
            throw BenchError("--api \(text): expected http://HOST:PORT")
        }
        self.init(host: host, port: components.port ?? 80)
    }
}

struct HTTPResponse {
    var status: Int
    var body: ByteBuffer
    var headers: HTTPHeaders = [:]
}

/// One keep-alive HTTP/1.1 connection to the API, used by one client at a time: requests go out
/// one after another on it, as a browser or a CLI would send them. Built on SwiftNIO (already a
/// dependency of the API) so the load generator adds no package.
struct HTTPConnection {
    let endpoint: APIEndpoint
    var inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>

    /// Opens a connection, runs `body` with it, and closes it.
    static func with<Result: Sendable>(
        _ endpoint: APIEndpoint, _ body: (inout HTTPConnection) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .connect(host: endpoint.host, port: endpoint.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = HTTPConnection(endpoint: endpoint, inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&connection)
        }
    }

    /// Sends one request and reads its whole answer.
    mutating func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)], body: ByteBuffer?) async throws -> HTTPResponse {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "\(endpoint.host):\(endpoint.port)")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        head.headers.add(name: "Content-Length", value: "\(body?.readableBytes ?? 0)")
        var parts: [HTTPClientRequestPart] = [.head(head)]
        if let body { parts.append(.body(.byteBuffer(body))) }
        parts.append(.end(nil))
        try await outbound.write(contentsOf: parts)
        var status: Int?
        var headers: HTTPHeaders = [:]
        var answer = ByteBuffer()
        while let part = try await inbound.next() {
            switch part {
            case .head(let responseHead):
                status = Int(responseHead.status.code)
                headers = responseHead.headers
            case .body(var chunk):
                answer.writeBuffer(&chunk)
            case .end:
                guard let status else { throw BenchError("the API answered without a status line") }
                return HTTPResponse(status: status, body: answer, headers: headers)
            }
        }
        throw BenchError("the API closed the connection before answering")
    }
}
