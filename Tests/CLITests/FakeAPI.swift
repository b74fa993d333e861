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
        var accept: String?
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
        /// Instead of streaming, this error (a 503 of an instance that does not stream).
        var streamRefused: (status: HTTPResponse.Status, body: String)?
        /// The log's pages (`GET /api/spec/7/events` without `Accept: text/event-stream`), by
        /// the request's query (`""`, `after=N`).
        var logPages: [String: String] = [:]
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
            let recorded = try await self.record(request)
            guard recorded.accept?.contains("text/event-stream") == true else {
                guard let page = self.scenario.logPages[recorded.query] else {
                    return Self.json(.notFound, #"{"error":"no route","status":404}"#)
                }
                return Self.json(.ok, page)
            }
            guard let streams = self.scenario.streams else {
                return Self.json(.notFound, #"{"error":"no route","status":404}"#)
            }
            if let refused = self.scenario.streamRefused { return Self.json(refused.status, refused.body) }
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
        router.put("/api/hosts/:id/drain") { request, _ in
            _ = try await self.record(request)
            return Self.json(.ok, Self.drainedHost)
        }
        let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await application.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)")
        }
    }

    /// The answer to draining a host: draining, one VM pinned on it.
    static let drainedHost = """
        {"host":{"host_id":"h1","agents":3,"alive_agents":3,"objects":1,"drain":{"reason":"kernel update","since":"2026-12-03T08:00:00Z"}},\
        "objects":[{"id":"o1","spec_id":7,"name":"web","type":"resource/vm/kvm","agent_id":"a1","pinned":true}]}
        """

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
                                accept: request.headers[.accept],
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

    /// One `event` message as the API writes it: `id:`, `event: event`, and the item as one line
    /// of JSON with sorted keys; an event about the whole spec has no `object_id` or `object_name`.
    static func event(_ id: Int, version: Int = 0, object: (id: String, name: String)? = ("u-web", "web"), kind: String,
                      message: String) -> String {
        let object = object.map { #","object_id":"\#($0.id)","object_name":"\#($0.name)""# } ?? ""
        return "id: \(id)\nevent: event\ndata: "
            + #"{"created_at":"2026-12-03T01:00:0\#(id % 10)Z","id":\#(id),"kind":"\#(kind)","message":"\#(message)"\#(object),"spec_id":7,"version":\#(version)}"#
            + "\n\n"
    }

    /// The stream's last message, as the API writes it before closing.
    static func settled(_ state: String, version: Int = 0, reason: String? = nil) -> String {
        let reason = reason.map { #""reason":"\#($0)","# } ?? ""
        return "event: settled\ndata: " + #"{\#(reason)"spec_id":7,"state":"\#(state)","version":\#(version)}"# + "\n\n"
    }

    /// The comment the API opens every stream with.
    static let streamOpening = ": events of spec 7\n\n"

    /// Plans as n0core-api answered `POST /api/spec?dry_run=true` and then
    /// `PUT /api/spec/1?dry_run=true` in PlanTests (captured): no `spec_id` for a POST, no `id`
    /// for an object to create, `placement` null where nothing would be placed.
    static let planOfAPost = #"{"objects":[{"action":"create","changed_fields":[],"name":"disk","placement":{"agent_id":"0475e57d-d2e4-4303-8acd-a833fe13afc0","host_id":"99566e90-d7d8-4765-8d70-17546c7ed11b"},"type":"resource/volume/file"},{"action":"create","changed_fields":[],"name":"scratch","placement":{"agent_id":"0475e57d-d2e4-4303-8acd-a833fe13afc0","host_id":"99566e90-d7d8-4765-8d70-17546c7ed11b"},"type":"resource/volume/file"}],"placement":"placed","version":0}"#

    static let planOfAnImpossiblePut = #"{"objects":[{"action":"change","changed_fields":["size"],"id":"7a7950db-4c95-4cfe-a818-e0910a2f0edc","name":"disk","placement":null,"placement_error":"not scheduled because other objects of this spec cannot be placed: no alive agent/volumer/file with 200gb disk free; the one with the most free has 80gb disk free","type":"resource/volume/file"},{"action":"create","changed_fields":[],"name":"logs","placement":null,"placement_error":"no alive agent/volumer/file with 200gb disk free; the one with the most free has 80gb disk free","type":"resource/volume/file"},{"action":"delete","changed_fields":[],"id":"1ed2cdae-6abd-4c55-bdc7-f559ec34b7e0","name":"scratch","placement":null,"placement_error":"not scheduled because other objects of this spec cannot be placed: no alive agent/volumer/file with 200gb disk free; the one with the most free has 80gb disk free","type":"resource/volume/file"}],"placement":"impossible","reason":"no alive agent/volumer/file with 200gb disk free; the one with the most free has 80gb disk free","spec_id":1,"version":1}"#

    /// Two pages of `GET /api/spec/7/events` (`limit=2`): the first full, with `next`.
    static let logPage1 = #"{"events":[{"created_at":"2026-12-03T01:00:00Z","id":1,"kind":"ACCEPTED","message":"version 0 accepted with 1 objects","spec_id":7,"version":0},{"created_at":"2026-12-03T01:00:01Z","id":2,"kind":"SCHEDULED","message":"scheduled on agent a1","object_id":"u-web","object_name":"web","spec_id":7,"version":0}],"next":2,"spec_id":7,"state":"pending"}"#
    /// An event of an object no longer known: its id, no name; no time.
    static let logItem3 = #"{"id":3,"kind":"APPLIED","message":"applied on agent a1","object_id":"u-gone","spec_id":7,"version":0}"#
    static let logPage2 = #"{"events":["# + logItem3 + #"],"spec_id":7,"state":"applied"}"#
}
