import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
@testable import CLI

/// A stand-in for n0core-api on a real port, answering with canned JSON and a canned event
/// stream, and recording what it was asked, so a test can run the CLI as a user would.
final class FakeAPI: Sendable {
    struct Recorded: Sendable {
        var method: String
        var path: String
        var query: String
        var contentType: String?
        var authorization: String?
        var lastEventID: String?
        var body: String
    }

    struct Scenario: Sendable {
        /// The answer to `POST /api/spec` (and `PUT`, `DELETE`): status and JSON.
        var stored: (status: HTTPResponse.Status, body: String) = (.created, #"{"id":7,"version":0,"created_at":"2026-12-03T01:00:00Z","spec":{}}"#)
        /// Successive answers to `GET /api/spec/7`; the last one repeats.
        var statuses: [String]
        /// One entry per connection to the event stream: the SSE text it sends before closing
        /// (the last repeats). nil: the route does not exist (404), as on an older API.
        var streams: [String]?
        /// After its text, the stream stays open with keep-alives instead of closing.
        var streamStaysOpen = false
        /// The answer to a request with `?dry_run=true`.
        var plan: (status: HTTPResponse.Status, body: String)?
    }

    let scenario: Scenario
    let recorded = Mutex<[Recorded]>([])
    private let statusReads = Mutex(0)
    private let streamConnections = Mutex(0)

    init(_ scenario: Scenario) {
        self.scenario = scenario
    }

    var requests: [Recorded] { recorded.withLock { $0 } }

    /// Runs `body` with the API listening on a free port.
    func run<Value: Sendable>(_ body: @Sendable (_ url: String) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("/api/spec") { request, _ in try await self.store(request) }
        router.put("/api/spec/:id") { request, _ in try await self.store(request) }
        router.delete("/api/spec/:id") { request, _ in try await self.store(request) }
        router.get("/api/spec") { request, _ in
            // Specs 5 to 1, newest first, at most two a page: `cursor=sN` continues below N.
            let recorded = try await self.record(request)
            let parameters = Dictionary(recorded.query.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }, uniquingKeysWith: { _, last in last })
            let below = parameters["cursor"].flatMap { Int($0.dropFirst()) } ?? 6
            let limit = min(Int(parameters["limit"] ?? "50") ?? 50, 2)
            let ids = Array((1..<below).reversed().prefix(limit))
            let items = ids.map { #"{"id":\#($0),"version":0,"state":"applied","created_at":"2026-12-03T01:00:0\#($0)Z","updated_at":"2026-12-03T01:00:0\#($0)Z","objects":{"APPLIED":2}}"# }
            let next = (ids.last ?? 1) > 1 ? #","next":"s\#(ids.last ?? 1)""# : ""
            return Self.json(.ok, #"{"specs":[\#(items.joined(separator: ","))]\#(next)}"#)
        }
        router.get("/api/spec/:id") { request, _ in
            _ = try await self.record(request)
            let index = self.statusReads.withLock { count in
                defer { count += 1 }
                return count
            }
            return Self.json(.ok, self.scenario.statuses[min(index, self.scenario.statuses.count - 1)])
        }
        router.get("/api/spec/:id/events") { request, _ in
            _ = try await self.record(request)
            guard let streams = self.scenario.streams else {
                return Self.json(.notFound, #"{"error":"no route","status":404}"#)
            }
            let index = self.streamConnections.withLock { count in
                defer { count += 1 }
                return count
            }
            let text = streams[min(index, streams.count - 1)]
            let staysOpen = self.scenario.streamStaysOpen
            return Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                // In two pieces, cut mid-line, as a network may deliver it.
                let cut = text.index(text.startIndex, offsetBy: text.count / 2)
                try await writer.write(ByteBuffer(string: String(text[..<cut])))
                try await Task.sleep(for: .milliseconds(20))
                try await writer.write(ByteBuffer(string: String(text[cut...])))
                if staysOpen {
                    for _ in 0..<100 {
                        try await Task.sleep(for: .milliseconds(100))
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)")
        }
    }

    private func store(_ request: Request) async throws -> Response {
        let recorded = try await record(request)
        if recorded.query.contains("dry_run=true"), let plan = scenario.plan {
            return Self.json(plan.status, plan.body)
        }
        return Self.json(scenario.stored.status, scenario.stored.body)
    }

    private func record(_ request: Request) async throws -> Recorded {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let recorded = Recorded(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                                contentType: request.headers[.contentType], authorization: request.headers[.authorization],
                                lastEventID: request.headers.first { $0.name.canonicalName == "last-event-id" }?.value,
                                body: String(buffer: body))
        self.recorded.withLock { $0.append(recorded) }
        return recorded
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The CLI run in-process against an API: its exit code and everything it printed.
struct CLIRun: Sendable {
    var status: Int32
    var output: String
    var errors: String

    static func run(_ arguments: [String], apiURL: String, files: [String: String] = [:],
                    terminal: Bool = false) async -> CLIRun {
        let output = Mutex("")
        let errors = Mutex("")
        let httpClient = CommandEnvironment.makeHTTPClient()
        let status = await N0CoreCommand.run(arguments, in: CommandEnvironment(
            variables: ["N0CORE_API_URL": apiURL, "N0CORE_API_TOKEN": "test-token-s3cret", "HOME": "/nonexistent", "TERM": "xterm"],
            standardOutput: { text in output.withLock { $0 += text } },
            standardError: { text in errors.withLock { $0 += text } },
            outputIsTerminal: terminal, terminalWidth: 120, httpClient: httpClient,
            readFile: { path in files[path].map { Data($0.utf8) } }))
        try? await httpClient.shutdown()  // a test's client; its shutdown has nothing to check
        return CLIRun(status: status, output: output.withLock { $0 }, errors: errors.withLock { $0 })
    }
}

/// Canned answers of the contract (docs/api.md and the event stream's).
enum Canned {
    static let document = "version: 0\nspec:\n  web:\n    type: resource/vm/kvm\n    vcpus: 1\n"

    static func status(state: String, version: Int = 0, progress: String, message: String? = nil, agent: String? = nil,
                       reason: String? = nil) -> String {
        let message = message.map { #","message":"\#($0)""# } ?? ""
        let agent = agent.map { #","agent":"\#($0)""# } ?? ""
        let reason = reason.map { #","reason":"\#($0)""# } ?? ""
        return #"{"id":7,"version":\#(version),"created_at":"2026-12-03T01:00:00Z","state":"\#(state)"\#(reason),"spec":{},"#
            + #""objects":[{"id":"u-web","type":"resource/vm/kvm","name":"web","progress":"\#(progress)"\#(message),"version":\#(version)\#(agent)}],"events":[]}"#
    }

    static func event(_ id: Int, version: Int = 0, kind: String, message: String) -> String {
        "id: \(id)\nevent: event\ndata: "
            + #"{"id":\#(id),"spec_id":7,"version":\#(version),"object_id":"u-web","object_name":"web","kind":"\#(kind)","message":"\#(message)","created_at":"2026-12-03T01:00:0\#(id % 10)Z"}"#
            + "\n\n"
    }

    static func settled(_ state: String, version: Int = 0, reason: String? = nil) -> String {
        let reason = reason.map { #","reason":"\#($0)""# } ?? ""
        return "event: settled\ndata: " + #"{"spec_id":7,"version":\#(version),"state":"\#(state)"\#(reason)}"# + "\n\n"
    }
}
