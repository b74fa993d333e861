import AgentRuntime
import AsyncHTTPClient
import Foundation
import Messages
import NIOCore
import NIOHTTP1
import ServiceSupport

/// Fetches a volume from another volumer's export server (``VolumeExportServer``) into a file,
/// with a fresh ``ExportToken`` on every attempt.
///
/// The source volume may still be in use (409: its VM is being stopped) or its volumer briefly
/// unreachable, so those are retried with backoff (1 s doubling to 5 s) until `timeout`; a
/// refused token (401), a missing volume (404) or any other answer fails at once, since
/// retrying cannot change it. The body is stopped past `limit`, so a wrong or hostile source
/// cannot fill the disk.
struct VolumeDownload: Sendable {
    let source: VolumeCopySource
    let volume: ObjectID
    let secret: ExportSecret
    let timeout: Duration
    let limit: UInt64

    static let firstDelay: Duration = .seconds(1)
    static let maximumDelay: Duration = .seconds(5)

    /// Why one attempt did not produce the file.
    enum AttemptFailure: Error {
        /// Another attempt may succeed; the sentence is the reason given if none does.
        case retry(String)
        /// No attempt will: the sentence says why.
        case fatal(String)
    }

    /// What the importer may fetch for a volume of `bytes`: a qcow2 file holds at most its
    /// virtual size plus metadata, so more than a tenth (and at least 64 MiB) over is refused.
    static func limit(forVolumeOf bytes: UInt64) -> UInt64 {
        let (tenth, overflow) = bytes.addingReportingOverflow(bytes / 10)
        let slack = bytes.addingReportingOverflow(64 << 20)
        return max(overflow ? .max : tenth, slack.overflow ? .max : slack.partialValue)
    }

    /// Writes the volume into `path` (an existing 0600 file, truncated on every attempt).
    /// - Returns: the bytes written.
    /// - Throws: ``AgentFailure`` "could not copy volume … from agent … at …: <reason>".
    func run(into path: String) async throws -> UInt64 {
        try checkURL()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(60))))
        do {
            let written = try await attempts(into: path, client: client)
            try await client.shutdown()
            return written
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func attempts(into path: String, client: HTTPClient) async throws -> UInt64 {
        let deadline = ContinuousClock.now + timeout
        var delay = Self.firstDelay
        var reason = "the source volumer did not answer in time"
        while true {
            let remaining = deadline - ContinuousClock.now
            do {
                return try await withDeadline(remaining) { try await attempt(into: path, client: client) }
            } catch AttemptFailure.fatal(let why) {
                throw failure(why)
            } catch AttemptFailure.retry(let why) {
                reason = why
            } catch is DeadlineExceeded {
                throw failure("\(reason), and the last attempt did not finish; gave up after "
                    + "volumer.copy_timeout_seconds (\(timeout))")
            }
            guard ContinuousClock.now + delay < deadline else {
                throw failure("\(reason); gave up after volumer.copy_timeout_seconds (\(timeout))")
            }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, Self.maximumDelay)
        }
    }

    private func attempt(into path: String, client: HTTPClient) async throws -> UInt64 {
        var request = HTTPClientRequest(url: source.url)
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(ExportToken.mint(volume: volume, secret: secret))")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(60))
        } catch {
            try Task.checkCancellation()
            throw AttemptFailure.retry("the source volumer cannot be reached (\(error))")
        }
        switch response.status.code {
        case 200:
            break
        case 409:
            throw AttemptFailure.retry("the volume is still in use by a running VM on its old host (HTTP 409)")
        case 401:
            throw AttemptFailure.fatal("the source volumer refused this volumer's token (HTTP 401); every volumer needs the "
                + "same secret in volumer.export_secret_file and clocks that agree within minutes")
        case 404:
            throw AttemptFailure.fatal("the source volumer has no such volume (HTTP 404)")
        default:
            throw AttemptFailure.fatal("the source volumer answered HTTP \(response.status.code) \(response.status.reasonPhrase)")
        }
        let announced = response.headers.first(name: "content-length").flatMap(UInt64.init)
        if let announced, announced > limit {
            throw AttemptFailure.fatal("the source file is \(Size(bytes: announced)), more than a volume of this size can "
                + "be (\(Size(bytes: limit)))")
        }
        let handle = try OwnerOnly.openForWriting(path, truncate: true)
        defer { try? handle.close() }
        var written: UInt64 = 0
        var body = response.body.makeAsyncIterator()
        while true {
            let next: ByteBuffer?
            do {
                next = try await body.next()
            } catch {
                try Task.checkCancellation()
                throw AttemptFailure.retry("the transfer broke off after \(written) bytes (\(error))")
            }
            guard let buffer = next else { break }
            written += UInt64(buffer.readableBytes)
            guard written <= limit else {
                throw AttemptFailure.fatal("the source sent more than a volume of this size can be (\(Size(bytes: limit))); "
                    + "the transfer was stopped")
            }
            try handle.write(contentsOf: Data(buffer.readableBytesView))
        }
        if let announced, written != announced {
            throw AttemptFailure.retry("the transfer ended after \(written) of \(announced) bytes")
        }
        try handle.synchronize()
        return written
    }

    /// `copy_from.url` must be http(s) and name this very volume, so a token is never sent
    /// anywhere else or for another volume.
    private func checkURL() throws {
        guard let url = URL(string: source.url), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host != nil, url.path.hasSuffix("/volumes/\(volume)")
        else {
            throw failure("copy_from.url is not an http(s) URL ending in /volumes/\(volume); the scheduler sent a wrong "
                + "source, or the old volumer announces a wrong volumer.export_url")
        }
    }

    private func failure(_ reason: String) -> AgentFailure {
        AgentFailure("could not copy volume \(volume) from agent \(source.agentID) at \(source.url): \(reason)")
    }
}
