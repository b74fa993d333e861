import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The n0core API over HTTP: every request carries the token, every answer that is not 2xx
/// becomes an ``APIRequestError`` with the API's message and problems.
public struct APIClient: Sendable {
    public let configuration: CLIConfiguration
    let httpClient: HTTPClient
    /// How long an ordinary request may take; streams (events, console) run until their caller stops.
    var requestTimeout: TimeAmount = .seconds(60)

    public init(configuration: CLIConfiguration, httpClient: HTTPClient) {
        self.configuration = configuration
        self.httpClient = httpClient
    }

    /// A body to send and what it is, as `Content-Type` says.
    public struct Body: Sendable {
        public var data: Data
        public var contentType: String

        public init(_ data: Data, contentType: String) {
            self.data = data
            self.contentType = contentType
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: Data

        public func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
            do {
                return try JSONDecoder().decode(type, from: body)
            } catch {
                throw CLIFailure(.usage, "the API's answer is not what this client expects (\(Value.self)): \(error)")
            }
        }

        public func json() throws -> JSONValue { try decode(JSONValue.self) }
    }

    /// Sends one request and reads the whole answer.
    public func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [],
                     body: Body? = nil, accept: String = "application/json") async throws -> Response {
        let request = try makeRequest(method, path, query: query, body: body, accept: accept, headers: [])
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: requestTimeout)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw unreachable(error)
        }
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            throw APIRequestError(method: method, path: path, status: Int(response.status.code), body: data)
        }
        return Response(status: Int(response.status.code), headers: response.headers, body: data)
    }

    /// Opens a request whose answer is read as it comes (Server-Sent Events, a followed
    /// console). A status that is not 2xx is read whole and thrown as ``APIRequestError``.
    public func open(_ path: String, query: [(String, String)] = [], accept: String,
                     headers: [(String, String)] = []) async throws -> HTTPClientResponse {
        let request = try makeRequest(.GET, path, query: query, body: nil, accept: accept, headers: headers)
        let response: HTTPClientResponse
        do {
            // Streams end when the server ends them or the caller's task is cancelled.
            response = try await httpClient.execute(request, timeout: .hours(24))
        } catch {
            throw unreachable(error)
        }
        guard (200..<300).contains(response.status.code) else {
            // The status is the error; a body that cannot be read leaves just the status to report.
            let bytes = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
            throw APIRequestError(method: .GET, path: path, status: Int(response.status.code), body: Data(bytes.readableBytesView))
        }
        return response
    }

    func url(_ path: String, query: [(String, String)]) -> String {
        var base = configuration.apiURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard !query.isEmpty else { return base + path }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        let encoded = query.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return base + path + "?" + encoded.joined(separator: "&")
    }

    private func makeRequest(_ method: HTTPMethod, _ path: String, query: [(String, String)], body: Body?,
                             accept: String, headers: [(String, String)]) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        request.headers.add(name: "User-Agent", value: "n0core-cli")
        if let token = configuration.token {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: body.contentType)
            request.body = .bytes(ByteBuffer(bytes: body.data))
        }
        return request
    }

    private func unreachable(_ error: any Error) -> any Error {
        if error is CancellationError { return error }
        return CLIFailure(.usage, "cannot reach the API at \(configuration.apiURL.absoluteString): \(error)")
    }
}
