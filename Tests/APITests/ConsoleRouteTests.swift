import Clients
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Messages
import Prometheus
import ServiceSupport
import Store
import Synchronization
import Testing
import TestSupport

@testable import API

/// `GET /api/objects/{id}/console` over real HTTP and the real graph in PostgreSQL, with the
/// agents' side answered by the test (the broker half: `ConsoleRelayTests`).
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasDatabase))
struct ConsoleRouteTests {
    static let token = "console-token"

    /// Answers reads as the test says and records what it was asked.
    final class FakeConsole: ConsoleFetching {
        let answers: Mutex<[Result<ConsoleExcerpt, ConsoleFetchError>]>
        let asked = Mutex<[ConsoleFetch]>([])

        init(_ answers: [Result<ConsoleExcerpt, ConsoleFetchError>]) {
            self.answers = Mutex(answers)
        }

        func fetch(_ fetch: ConsoleFetch) async throws(ConsoleFetchError) -> ConsoleExcerpt {
            asked.withLock { $0.append(fetch) }
            let answer = answers.withLock { answers -> Result<ConsoleExcerpt, ConsoleFetchError>? in
                answers.count > 1 ? answers.removeFirst() : answers.first
            }
            guard let answer else { return ConsoleExcerpt(data: [], start: 0, size: 0) }
            return try answer.get()
        }
    }

    struct Fixture {
        let vm = ObjectID()
        let agent = ObjectID()
        let unplaced = ObjectID()
        let volume = ObjectID()
    }

    func run(_ console: FakeConsole?, settings: ConsoleSettings = ConsoleSettings(),
             _ body: @Sendable (any TestClientProtocol, Fixture) async throws -> Void) async throws {
        try await IntegrationEnvironment.withIsolatedStore { store in
            let graph = Fixture()
            try await store.upsertNodes([
                GraphNode(id: graph.vm.uuid, type: ObjectType.vmKVM.rawValue, name: "web"),
                GraphNode(id: graph.unplaced.uuid, type: ObjectType.vmKVM.rawValue, name: "waiting"),
                GraphNode(id: graph.volume.uuid, type: ObjectType.volumeFile.rawValue, name: "disk"),
                GraphNode(id: graph.agent.uuid, type: ObjectType.agentComputeKVM.rawValue, name: "compute"),
            ])
            try await store.upsertEdges([GraphEdge(source: graph.vm.uuid, target: graph.agent.uuid, relation: Relation.scheduled)])
            var configuration = APIConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), tokens: [Self.token])
            configuration.console = settings
            var logger = Logger(label: "console-route-test")
            logger.logLevel = .warning
            let application = APIServer.makeApplication(
                configuration: configuration, store: store,
                health: HealthRoutes(readiness: Readiness(), metrics: PrometheusCollectorRegistry()), console: console, logger: logger)
            try await application.test(.live) { client in try await body(client, graph) }
        }
    }

    func get(_ client: any TestClientProtocol, _ uri: String, accept: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(Self.token)"]
        if let accept { headers[.accept] = accept }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    static let log = Array("[    0.000000] Linux version 6.1\r\nLEASE 192.168.0.1\r\n".utf8) + [0xFF, 0x0A]

    @Test func aPlacedVMsLogComesAsTextFromItsAgent() async throws {
        let console = FakeConsole([.success(ConsoleExcerpt(data: Self.log, start: 40, size: 40 + Int64(Self.log.count)))])
        try await run(console) { client, graph in
            let response = try await get(client, "/api/objects/\(graph.vm)/console")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(Array(response.body.readableBytesView) == Self.log, "the bytes as the guest wrote them")
            #expect(response.headers[HTTPFields.Element.Name("X-Console-Start")!] == "40")
            #expect(response.headers[HTTPFields.Element.Name("X-Console-End")!] == "\(40 + Self.log.count)")
            #expect(response.headers[HTTPFields.Element.Name("X-Console-Size")!] == "\(40 + Self.log.count)")
            let asked = try #require(console.asked.withLock { $0.first })
            #expect(asked.agentID == graph.agent && asked.vmID == graph.vm, "the agent of its scheduled edge")
            #expect(asked.range == .tail(lines: 100) && asked.maxBytes == 1 << 20 && asked.timeout == .seconds(5))

            _ = try await get(client, "/api/objects/\(graph.vm)/console?offset=1234")
            _ = try await get(client, "/api/objects/\(graph.vm)/console?lines=10000")
            #expect(console.asked.withLock { $0.dropFirst().map(\.range) } == [.from(offset: 1234), .tail(lines: 10_000)])

            let json = try await get(client, "/api/objects/\(graph.vm)/console", accept: "application/json")
            #expect(json.status == .ok)
            #expect(json.headers[.contentType] == "application/json; charset=utf-8")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(json.body.readableBytesView)) as? [String: Any])
            #expect(body["vm_id"] as? String == graph.vm.description)
            #expect(body["agent_id"] as? String == graph.agent.description)
            #expect(body["start"] as? Int == 40)
            #expect((body["text"] as? String)?.contains("LEASE 192.168.0.1") == true)
        }
    }

    @Test func whatHasNoConsoleOrCannotBeAskedIsNamed() async throws {
        try await run(FakeConsole([])) { client, graph in
            let unknown = try await get(client, "/api/objects/\(ObjectID())/console")
            #expect(unknown.status == .notFound)
            let volume = try await get(client, "/api/objects/\(graph.volume)/console")
            #expect(volume.status == .notFound)
            #expect(String(buffer: volume.body).contains("is a resource/volume/file, not a resource/vm/kvm"))
            let unplaced = try await get(client, "/api/objects/\(graph.unplaced)/console")
            #expect(unplaced.status == .conflict)
            #expect(String(buffer: unplaced.body).contains("not placed on a hypervisor yet"))
            for (query, words) in [("lines=0", "lines must be"), ("lines=10001", "from 1 to 10000"), ("lines=x", "lines must be"),
                                   ("offset=-1", "offset must be"), ("lines=5&offset=0", "not both"), ("follow=yes", "follow must be")] {
                let bad = try await get(client, "/api/objects/\(graph.vm)/console?\(query)")
                #expect(bad.status == .badRequest, "\(query)")
                #expect(String(buffer: bad.body).contains(words), "\(query): \(String(buffer: bad.body))")
            }
            let badID = try await get(client, "/api/objects/nope/console")
            #expect(badID.status == .badRequest)
        }
    }

    @Test func theAgentsAnswersBecomeStatuses() async throws {
        let agentless: [(ConsoleFetchError, HTTPResponse.Status, String)] = [
            (.timedOut(agentID: ObjectID(), after: .seconds(5)), .gatewayTimeout, "api.console_timeout_seconds"),
            (.unavailable("the broker is unavailable"), .serviceUnavailable, "the broker is unavailable"),
            (.noLog("no serial log for it"), .notFound, "no serial log"),
            (.failed("could not read"), .badGateway, "could not read"),
        ]
        for (error, status, words) in agentless {
            try await run(FakeConsole([.failure(error)])) { client, graph in
                let response = try await get(client, "/api/objects/\(graph.vm)/console")
                #expect(response.status == status, "\(error)")
                #expect(String(buffer: response.body).contains(words), "\(String(buffer: response.body))")
                if status == .serviceUnavailable { #expect(response.headers[.retryAfter] != nil) }
            }
        }
        try await run(nil) { client, graph in
            let response = try await get(client, "/api/objects/\(graph.vm)/console")
            #expect(response.status == .serviceUnavailable)
        }
    }

    @Test func followSendsWhatIsAppendedUntilItsTimeIsUp() async throws {
        let console = FakeConsole([
            .success(ConsoleExcerpt(data: Array("boot\n".utf8), start: 0, size: 5)),
            .success(ConsoleExcerpt(data: [], start: 5, size: 5)),
            .success(ConsoleExcerpt(data: Array("LEASE 192.168.0.1\n".utf8), start: 5, size: 23)),
            .success(ConsoleExcerpt(data: Array("login:".utf8), start: 23, size: 29)),
            .success(ConsoleExcerpt(data: [], start: 29, size: 29)),
        ])
        let settings = ConsoleSettings(timeout: .seconds(2), followLimit: .seconds(2), pollInterval: .milliseconds(100))
        try await run(console, settings: settings) { client, graph in
            let clock = ContinuousClock()
            let started = clock.now
            let response = try await get(client, "/api/objects/\(graph.vm)/console?follow=true&lines=20")
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "boot\nLEASE 192.168.0.1\nlogin:")
            #expect(clock.now - started >= .seconds(2) && clock.now - started < .seconds(10))
            let ranges = console.asked.withLock { $0.map(\.range) }
            // It asked again after an empty answer and from where each answer ended; how many
            // times it asked after "login:" within the 2 s depends on the machine's load.
            #expect(ranges.prefix(4) == [.tail(lines: 20), .from(offset: 5), .from(offset: 5), .from(offset: 23)])
            #expect(ranges.dropFirst(4).allSatisfy { $0 == .from(offset: 29) }, "\(ranges)")
        }
    }

    @Test func followEndsWhenTheAgentStopsAnswering() async throws {
        let console = FakeConsole([
            .success(ConsoleExcerpt(data: Array("boot\n".utf8), start: 0, size: 5)),
            .failure(.timedOut(agentID: ObjectID(), after: .seconds(1))),
        ])
        let settings = ConsoleSettings(timeout: .seconds(1), followLimit: .seconds(60), pollInterval: .milliseconds(50))
        try await run(console, settings: settings) { client, graph in
            let response = try await get(client, "/api/objects/\(graph.vm)/console?follow=true")
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "boot\n")
        }
    }
}
