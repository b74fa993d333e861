import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A bare HTTP/1.1 listener on SwiftNIO for the daemons' small servers (``HealthServer``, a
/// volumer's volume export): one request per connection, answered by the server's `respond`,
/// then closed; a connection that sends no complete request within `requestTimeout` is closed,
/// so idle or slow clients hold nothing. Stops accepting on graceful shutdown.
public struct HTTPListener: Sendable {
    /// One request to answer: its head (a body is ignored), the peer, and where the answer goes.
    public struct Request: Sendable {
        public var head: HTTPRequestHead
        public var peer: String
        public var responses: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    }

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    let address: ListenAddress
    let decoderLimits: NIOHTTPDecoderLimitConfiguration
    let requestTimeout: Duration

    public init(address: ListenAddress, decoderLimits: NIOHTTPDecoderLimitConfiguration = .init(), requestTimeout: Duration) {
        self.address = address
        self.decoderLimits = decoderLimits
        self.requestTimeout = requestTimeout
    }

    /// Listens until graceful shutdown; logs `what` it serves with the bound address, calls
    /// `onListening` with the bound port (tests bind port 0), and logs a connection that ends
    /// with an error at `errorLevel`.
    public func run(
        serving what: String, logger: Logger, errorLevel: Logger.Level = .debug, onListening: @Sendable (Int) -> Void,
        respond: @escaping @Sendable (Request) async throws -> Void
    ) async throws {
        let limits = decoderLimits
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withErrorHandling: true, withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? address.port
        logger.info("serving \(what)", metadata: ["listen": "\(address.host):\(port)"])
        onListening(port)
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask {
                            do {
                                try await serve(connection, respond: respond)
                            } catch {
                                logger.log(level: errorLevel, "a connection ended with an error", metadata: [
                                    "serving": "\(what)", "error": "\(error)",
                                ])
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    /// Reads one request within ``requestTimeout`` and hands it to `respond`. An accepted
    /// connection must be used through `executeThenClose` (NIO traps when one is dropped).
    private func serve(_ connection: Connection, respond: @Sendable (Request) async throws -> Void) async throws {
        let channel = connection.channel
        let peer = channel.remoteAddress.map { "\($0)" } ?? "unknown"
        let timer = Task {
            try await Task.sleep(for: requestTimeout)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
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
                    try await respond(Request(head: head, peer: peer, responses: responses))
                    return
                }
            }
        }
    }
}
