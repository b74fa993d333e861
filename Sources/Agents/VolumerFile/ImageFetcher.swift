import AgentRuntime
import AsyncHTTPClient
import Crypto
import Foundation
import Messages
import NIOCore
import NIOHTTP1
import ServiceSupport

/// What a download produced: how many bytes were written and their SHA-256, hex.
struct FetchedImage: Sendable, Hashable {
    var bytes: UInt64
    var sha256: String
}

/// Downloads an image into a file; behind a protocol so the driver's decisions are tested with
/// a fake and the real one against a server on loopback.
protocol ImageFetcher: Sendable {
    /// Writes the body of `url` into `path` (a new 0600 file), hashing it as it goes.
    /// - Throws: ``AgentFailure`` saying why nothing usable was downloaded; the caller removes `path`.
    func fetch(_ url: ImageURL, into path: String, settings: ImageFetchSettings) async throws -> FetchedImage
}

/// ``ImageFetcher`` over AsyncHTTPClient: `GET`, redirects followed by hand so each target is
/// checked to be http(s) again (never `file:` or another scheme), the body streamed to disk and
/// stopped past ``ImageFetchSettings/maximumSize``, the whole download bounded by
/// ``ImageFetchSettings/timeout``.
struct HTTPImageFetcher: ImageFetcher {
    func fetch(_ url: ImageURL, into path: String, settings: ImageFetchSettings) async throws -> FetchedImage {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(30), read: .seconds(60))))
        do {
            let result = try await withDeadline(settings.timeout) {
                try await download(url, into: path, settings: settings, client: client)
            }
            try await client.shutdown()
            return result
        } catch let exceeded as DeadlineExceeded {
            try? await client.shutdown()
            throw AgentFailure("downloading \(url) took longer than \(exceeded.limit) (volumer.image_fetch_timeout_seconds); "
                + "nothing was cached")
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func download(_ url: ImageURL, into path: String, settings: ImageFetchSettings, client: HTTPClient) async throws -> FetchedImage {
        var current = url.rawValue
        var redirects = 0
        while true {
            var request = HTTPClientRequest(url: current)
            request.method = .GET
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .seconds(Int64(settings.timeout.components.seconds)))
            } catch {
                throw AgentFailure("cannot download \(url): \(error); nothing was cached")
            }
            if (300..<400).contains(response.status.code), let location = response.headers.first(name: "location") {
                redirects += 1
                guard redirects <= settings.maximumRedirects else {
                    throw AgentFailure("downloading \(url) was redirected more than \(settings.maximumRedirects) times; nothing was cached")
                }
                current = try Self.redirectTarget(location, from: current, original: url)
                continue
            }
            guard response.status == .ok else {
                throw AgentFailure("downloading \(url) answered HTTP \(response.status.code) \(response.status.reasonPhrase); "
                    + "nothing was cached")
            }
            let limit = settings.maximumSize.bytes
            if let length = response.headers.first(name: "content-length").flatMap(UInt64.init), length > limit {
                throw AgentFailure("the image at \(url) is \(Size(bytes: length)), larger than volumer.image_max_size "
                    + "(\(settings.maximumSize)); nothing was downloaded")
            }
            let handle = try OwnerOnly.openForWriting(path, exclusive: true)
            defer { try? handle.close() }
            var hash = SHA256()
            var written: UInt64 = 0
            for try await buffer in response.body {
                written += UInt64(buffer.readableBytes)
                guard written <= limit else {
                    throw AgentFailure("the image at \(url) is larger than volumer.image_max_size (\(settings.maximumSize)); "
                        + "the download was stopped and nothing was cached")
                }
                buffer.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            try handle.synchronize()
            let digest = hash.finalize().map { String(format: "%02x", $0) }.joined()
            return FetchedImage(bytes: written, sha256: digest)
        }
    }

    /// The URL a redirect leads to, resolved against the one redirected, when it is http(s).
    static func redirectTarget(_ location: String, from current: String, original: ImageURL) throws -> String {
        guard let base = URL(string: current), let target = URL(string: location, relativeTo: base)?.absoluteURL,
              let scheme = target.scheme?.lowercased(), ["http", "https"].contains(scheme), target.host != nil
        else {
            throw AgentFailure("downloading \(original) was redirected to something other than an http(s) URL, which "
                + "is refused; nothing was cached")
        }
        return target.absoluteString
    }
}
