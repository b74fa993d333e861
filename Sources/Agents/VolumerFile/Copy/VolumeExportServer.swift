import AgentRuntime
import Foundation
import Logging
import Messages
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import ServiceSupport

/// The volumer's export server (`volumer.export_listen`, docs/volume-copy.md): `GET
/// /volumes/{id}` with a valid ``ExportToken`` streams the volume's qcow2 file, so another
/// volumer can take over a volume moved off this host.
///
/// Answers: 401 for a missing, invalid or expired token (without saying which); 404 when there
/// is no such volume; 405 for another method; 409 with `Retry-After` while a running QEMU holds
/// the file (its VM is not gone yet, and a copy taken now would be torn); 200 with the file,
/// read in chunks of ``chunkSize`` off the event loop and written as the peer takes them, so
/// memory stays bounded whatever the volume's size; a peer that takes no chunk within
/// ``chunkWriteTimeout`` is cut off.
///
/// On SwiftNIO's HTTP/1.1 codec like ``ServiceSupport/HealthServer``: one request per connection
/// (`Connection: close`), headers bounded, and a connection that sends no complete request
/// within `requestTimeout` closed.
public struct VolumeExportServer: Service {
    /// Whether a running QEMU holds the file at a path (`qemu-img info` without force-share).
    typealias InUseCheck = @Sendable (String) async throws -> Bool

    let address: ListenAddress
    let location: VolumeLocation
    let secret: ExportSecret
    let inUse: InUseCheck
    let requestTimeout: Duration
    let chunkSize: Int
    let logger: Logger
    /// Called with the bound port once listening (tests bind port 0).
    let onListening: @Sendable (Int) -> Void

    /// How long an importer is told to wait before asking again for a volume in use.
    static let retryAfterSeconds = 2
    /// How long a peer may take to accept one chunk: an importer that stops reading is cut off
    /// rather than holding the connection and the open file for ever.
    static let chunkWriteTimeout: Duration = .seconds(60)
    static let decoderLimits: NIOHTTPDecoderLimitConfiguration = {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = 8 * 1024
        limits.maxHeaderListSize = 16 * 1024
        limits.maxHeaderFieldCount = 64
        return limits
    }()
    /// Longer request targets are not a volume's path.
    static let maximumTargetLength = 256

    /// The server `configuration` asks for; nil when `volumer.export_listen` is not set.
    public init?(configuration: VolumerFileConfiguration, runner: any CommandRunner, logger: Logger) {
        guard let address = configuration.export.listen, let secret = configuration.export.secret else { return nil }
        let qemuImage = QemuImage(runner: runner, timeout: configuration.commandTimeout)
        self.init(address: address, dataDirectory: configuration.dataDirectory, secret: secret,
                  inUse: { try await qemuImage.isLocked($0) }, logger: logger)
    }

    init(address: ListenAddress, dataDirectory: String, secret: ExportSecret, inUse: @escaping InUseCheck,
         requestTimeout: Duration = .seconds(10), chunkSize: Int = 1 << 20, logger: Logger,
         onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.address = address
        location = VolumeLocation(dataDirectory: dataDirectory)
        self.secret = secret
        self.inUse = inUse
        self.requestTimeout = requestTimeout
        self.chunkSize = chunkSize
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        try await HTTPListener(address: address, decoderLimits: Self.decoderLimits, requestTimeout: requestTimeout)
            .run(serving: "volumes to other volumers", logger: logger, errorLevel: .notice, onListening: onListening) { request in
                try await respond(to: request.head, peer: request.peer, on: request.responses)
            }
    }

    private func respond(to request: HTTPRequestHead, peer: String,
                         on responses: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        let reply = Reply(version: request.version, responses: responses)
        guard request.method == .GET else {
            return try await reply.text(.methodNotAllowed, "method not allowed: use GET\n", headers: [("Allow", "GET")])
        }
        guard let id = Self.volumeID(target: request.uri) else {
            return try await reply.text(.notFound, "not found; this listener serves /volumes/{id}\n")
        }
        let metadata: Logger.Metadata = ["volume": "\(id)", "peer": "\(peer)"]
        let authorization = request.headers.first(name: "authorization") ?? ""
        let prefix = "bearer "
        guard authorization.lowercased().hasPrefix(prefix),
              ExportToken.verify(String(authorization.dropFirst(prefix.count)), volume: id, secret: secret) else {
            logger.notice("refused a volume export: invalid token", metadata: metadata)
            return try await reply.text(.unauthorized, "invalid token\n")
        }
        let path = location.path(of: id)
        guard FileManager.default.fileExists(atPath: path) else {
            logger.info("refused a volume export: no such volume here", metadata: metadata)
            return try await reply.text(.notFound, "no volume \(id) on this volumer\n")
        }
        do {
            if try await inUse(path) {
                logger.info("volume export deferred: a running QEMU holds the volume", metadata: metadata)
                return try await reply.text(.conflict, "volume \(id) is in use by a running VM; retry when it is stopped\n",
                                            headers: [("Retry-After", "\(Self.retryAfterSeconds)")])
            }
        } catch {
            logger.error("cannot tell whether a volume is in use; not exporting it", metadata: metadata.merging(
                ["error": "\(error)"]) { $1 })
            return try await reply.text(.internalServerError, "cannot inspect volume \(id) on this volumer; see its log\n")
        }
        try await stream(path, metadata: metadata, reply: reply)
    }

    /// Sends the file as it is when opened: its length then its bytes, chunk by chunk, each
    /// read on NIO's thread pool and written when the peer has taken the last (the async
    /// writer waits while the socket is not writable). A file that shrinks meanwhile ends the
    /// connection short of its length, which the importer sees as a failed copy.
    private func stream(_ path: String, metadata: Logger.Metadata, reply: Reply) async throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            logger.error("cannot open a volume to export it", metadata: metadata)
            return try await reply.text(.internalServerError, "cannot read this volume on this volumer; see its log\n")
        }
        defer { try? handle.close() }
        let length = try handle.seekToEnd()
        try handle.seek(toOffset: 0)
        try await reply.head(.ok, headers: [("Content-Type", "application/octet-stream"), ("Content-Length", "\(length)")])
        let started = ContinuousClock.now
        var sent: UInt64 = 0
        while sent < length {
            let count = Int(min(UInt64(chunkSize), length - sent))
            let chunk = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: count) ?? Data() }
            guard !chunk.isEmpty else {
                logger.error("a volume became shorter while it was exported; the copy is cut off and the importer will retry",
                             metadata: metadata.merging(["bytes": "\(sent)", "length": "\(length)"]) { $1 })
                throw ExportCutShort(sent: sent, length: length)
            }
            let responses = reply.responses
            try await withDeadline(Self.chunkWriteTimeout, onOverrun: .abandon) {
                try await responses.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
            }
            sent += UInt64(chunk.count)
        }
        try await reply.responses.write(.end(nil))
        logger.info("exported a volume", metadata: metadata.merging(
            ["bytes": "\(sent)", "seconds": "\((ContinuousClock.now - started).components.seconds)"]) { $1 })
    }

    /// The volume a request target names: `/volumes/<id>` with the id in its canonical
    /// (lowercase) form, nothing after it but an ignored query.
    static func volumeID(target: String) -> ObjectID? {
        guard target.count <= maximumTargetLength else { return nil }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let prefix = "/volumes/"
        guard path.hasPrefix(prefix) else { return nil }
        let name = String(path.dropFirst(prefix.count))
        return ObjectID(name).flatMap { $0.description == name ? $0 : nil }
    }

    /// The file ended before the length announced: the connection is closed short of it.
    struct ExportCutShort: Error, CustomStringConvertible {
        let sent: UInt64
        let length: UInt64
        var description: String { "the volume ended after \(sent) of \(length) bytes" }
    }

    /// Writes one response: every answer closes the connection.
    private struct Reply {
        let version: HTTPVersion
        let responses: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

        func head(_ status: HTTPResponseStatus, headers extra: [(String, String)]) async throws {
            var headers = HTTPHeaders(extra)
            headers.add(name: "Connection", value: "close")
            headers.add(name: "Server", value: "n0core-volumer-file")
            try await responses.write(.head(HTTPResponseHead(version: version, status: status, headers: headers)))
        }

        func text(_ status: HTTPResponseStatus, _ body: String, headers extra: [(String, String)] = []) async throws {
            let bytes = Array(body.utf8)
            try await head(status, headers: extra + [("Content-Type", "text/plain; charset=utf-8"),
                                                     ("Content-Length", "\(bytes.count)")])
            try await responses.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
            try await responses.write(.end(nil))
        }
    }
}
