import AsyncHTTPClient
import Foundation
import NIOCore

/// The API streams no events: `GET /api/spec/{id}/events` is 404 or 405 or answers something
/// other than `text/event-stream` (an older API), or 503 (an instance that does not stream, or
/// has as many streams open as it allows). Callers fall back to polling.
public struct EventStreamUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Follows `GET /api/spec/{id}/events` as Server-Sent Events until the server says the spec's
/// latest version has `settled`. A stream that drops before that is opened again with
/// `Last-Event-ID`, after 1 s (or the server's `retry:`), then twice as long each time up to
/// 10 s (reset by any message), so the server replays only what was missed.
public struct SpecEventStream: Sendable {
    let client: APIClient
    var firstBackoff: Duration = .seconds(1)
    var maximumBackoff: Duration = .seconds(10)

    public init(client: APIClient) {
        self.client = client
    }

    public func follow(specID: Int64, onEvent: (SpecEvent) async throws -> Void) async throws -> SettledNotice {
        let path = "/api/spec/\(specID)/events"
        var parser = ServerSentEventParser()
        var backoff = firstBackoff
        while true {
            try Task.checkCancellation()
            var headers: [(String, String)] = []
            if let id = parser.lastEventID { headers.append(("Last-Event-ID", id)) }
            do {
                let response = try await openStream(path, headers: headers)
                for try await buffer in response.body {
                    for message in parser.feed(buffer.readableBytesView) {
                        backoff = initialBackoff(parser)
                        switch message.type {
                        case "event": try await onEvent(try decode(SpecEvent.self, message, path))
                        case "settled": return try decode(SettledNotice.self, message, path)
                        default: continue  // a type this client does not know yet
                        }
                    }
                }
            } catch let error as CLIFailure {
                throw error
            } catch let error as APIRequestError {
                throw error
            } catch let error as EventStreamUnavailable {
                throw error
            } catch {
                // The connection dropped or could not be made: try again below.
                try Task.checkCancellation()
            }
            try await Task.sleep(for: backoff)
            backoff = min(backoff * 2, maximumBackoff)
        }
    }

    /// The server's `retry:` when it sent one (kept within 1 to 10 s), else 1 s.
    private func initialBackoff(_ parser: ServerSentEventParser) -> Duration {
        guard let milliseconds = parser.retryMilliseconds else { return firstBackoff }
        return min(max(.milliseconds(milliseconds), firstBackoff), maximumBackoff)
    }

    private func openStream(_ path: String, headers: [(String, String)]) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await client.open(path, accept: "text/event-stream", headers: headers)
        } catch let error as APIRequestError where [404, 405, 503].contains(error.status) {
            throw EventStreamUnavailable(description: "\(path) answered \(error.status): \(error.message)")
        }
        let contentType = response.headers.first(name: "Content-Type") ?? ""
        guard contentType.lowercased().hasPrefix("text/event-stream") else {
            throw EventStreamUnavailable(description: "\(path) answered \(contentType.isEmpty ? "no content type" : contentType), not text/event-stream")
        }
        return response
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ message: ServerSentEvent, _ path: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(message.data.utf8))
        } catch {
            throw CLIFailure(.usage, "the '\(message.type)' message of \(path) is not what this client expects: \(error)")
        }
    }
}
