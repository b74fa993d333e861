import AgentRuntime
import Broker
import Clients
import Foundation
import Logging
import Messages
import ServiceLifecycle
import TestSupport
import Testing

@testable import ComputeKVM

/// `GET /api/objects/{id}/console` below HTTP: the API's ``ConsoleRequester`` asks the compute
/// agent (the real runtime and compute driver, on the fake hypervisor) over the real broker, in
/// a virtual host of this test, and the agent reads a real serial log file.
@Suite("Consoles over the broker (RabbitMQ, compute driver, real files)", .enabled(if: IntegrationEnvironment.hasBroker), .serialized)
struct ConsoleRelayTests {
    /// The agent and the API's requester running, and what they need.
    struct Bed {
        let agentID: ObjectID
        /// An agent whose queue exists, with nobody consuming it.
        let silentAgentID: ObjectID
        let consoleDirectory: String
        let requester: ConsoleRequester
        let broker: BrokerConfiguration
        let logger: Logger

        func logPath(_ vm: ObjectID) -> String { "\(consoleDirectory)/n0-\(vm).log" }

        func fetch(_ vm: ObjectID, _ range: ConsoleRange, agent: ObjectID? = nil, maxBytes: Int = ConsoleLimits.defaultBytes,
                   timeout: Duration = .seconds(10)) async throws(ConsoleFetchError) -> ConsoleExcerpt {
            try await requester.fetch(ConsoleFetch(agentID: agent ?? agentID, vmID: vm, range: range, maxBytes: maxBytes, timeout: timeout))
        }
    }

    static func with(_ body: (Bed) async throws -> Void) async throws {
        let base = try IntegrationEnvironment.requireBroker()
        let virtualHost = try await ScratchVirtualHost.create(base: base, prefix: "n0t-console")
        defer { virtualHost.delete() }
        var logger = Logger(label: "n0core.console.tests")
        logger.logLevel = .critical
        let state = NSTemporaryDirectory() + "n0core-console-relay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let agentID = ObjectID()
        let compute = ComputeKVMConfiguration(libvirtURI: "test:///fake", virtType: .qemu, consoleDirectory: "\(state)/console")
        let driver = ComputeKVMDriver(configuration: compute, hypervisor: FakeHypervisor(), logger: logger)

        let agentBroker = IntegrationEnvironment.brokerConfiguration(url: virtualHost.url, appID: "n0core-compute-kvm-test")
        let queue = AgentClient.queue(agentID)
        let agentPublisher = Publisher(configuration: agentBroker, topology: ConductorClient.topology.declaringQueue(queue), logger: logger)
        let consumer = Consumer(configuration: agentBroker, queue: queue, deadLetterPublisher: agentPublisher, logger: logger)
        let runtime = try AgentRuntime(
            driver: driver, identity: AgentIdentity(agentID: agentID, hostID: ObjectID()),
            configuration: AgentConfiguration(agentID: agentID, stateDirectory: state), consumer: consumer,
            publisher: agentPublisher, logger: logger)

        let apiBroker = IntegrationEnvironment.brokerConfiguration(url: virtualHost.url, appID: "n0core-api-test")
        let silentAgentID = ObjectID()
        let apiPublisher = Publisher(configuration: apiBroker, topology: Topology().declaringQueue(AgentClient.queue(silentAgentID)),
                                     logger: logger)
        let requester = ConsoleRequester(configuration: apiBroker, publisher: apiPublisher, logger: logger)

        let group = ServiceGroup(services: [agentPublisher, consumer, runtime, apiPublisher, requester.consumer, requester], logger: logger)
        let task = Task { try await group.run() }
        do {
            try await waitUntil("the agent and the reply queue are consumed", within: .seconds(20)) {
                consumer.isConnected && requester.consumer.isConnected && FileManager.default.fileExists(atPath: compute.consoleDirectory)
            }
            try await body(Bed(agentID: agentID, silentAgentID: silentAgentID, consoleDirectory: compute.consoleDirectory, requester: requester,
                               broker: apiBroker, logger: logger))
        } catch {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw error
        }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    func lines(_ range: ClosedRange<Int>) -> String {
        range.map { "[    \($0).000000] boot line \($0)\r\n" }.joined()
    }

    @Test func theAPIReadsTheTailThenWhatWasAppendedFromTheAgentsFile() async throws {
        try await Self.with { bed in
            let vm = ObjectID()
            try Data(lines(1...300).utf8).write(to: URL(fileURLWithPath: bed.logPath(vm)))

            let tail = try await bed.fetch(vm, .tail(lines: 100))
            #expect(String(decoding: tail.data, as: UTF8.self) == lines(201...300))
            #expect(tail.size == Int64(lines(1...300).utf8.count) && tail.end == tail.size)

            // The guest writes on; the next read, from where the last ended, has exactly that.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: bed.logPath(vm)))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("LEASE 192.168.0.1\r\n".utf8) + Data([0xFF, 0x00, 0x1B]))
            try handle.close()
            let appended = try await bed.fetch(vm, .from(offset: tail.end))
            #expect(appended.data == Array("LEASE 192.168.0.1\r\n".utf8) + [0xFF, 0x00, 0x1B])
            #expect(appended.start == tail.end)
            let nothing = try await bed.fetch(vm, .from(offset: appended.end))
            #expect(nothing.data.isEmpty)

            // Bounded by bytes as asked, in chunks across the broker.
            let big = ObjectID()
            let megabyte = (0..<(1 << 20) + 500).map { UInt8(truncatingIfNeeded: $0 % 251) }
            try Data(megabyte).write(to: URL(fileURLWithPath: bed.logPath(big)))
            let capped = try await bed.fetch(big, .from(offset: 0))
            #expect(capped.data.count == 1 << 20)
            #expect(capped.data == Array(megabyte[..<(1 << 20)]))
            let small = try await bed.fetch(big, .from(offset: 100), maxBytes: 10)
            #expect(small.data == Array(megabyte[100..<110]))
        }
    }

    @Test func eachWayWithoutALogIsToldApart() async throws {
        try await Self.with { bed in
            // The agent has no log for a VM it never started.
            let missing = ObjectID()
            let noLog = try await #require(throws: ConsoleFetchError.self) { try await bed.fetch(missing, .tail(lines: 10)) }
            guard case .noLog(let why) = noLog else { Issue.record("expected noLog, got \(noLog)"); return }
            #expect(why.contains("\(missing)"))

            // An agent that never ran has no queue: refused at once, nothing waits.
            let unknown = try await #require(throws: ConsoleFetchError.self) {
                try await bed.fetch(ObjectID(), .tail(lines: 10), agent: ObjectID())
            }
            guard case .unavailable = unknown else { Issue.record("expected unavailable, got \(unknown)"); return }

            // An agent whose queue exists but that does not answer: the deadline, then nothing waits.
            let silent = bed.silentAgentID
            let clock = ContinuousClock()
            let started = clock.now
            let timedOut = try await #require(throws: ConsoleFetchError.self) {
                try await bed.fetch(ObjectID(), .tail(lines: 10), agent: silent, timeout: .seconds(1))
            }
            #expect(timedOut == .timedOut(agentID: silent, after: .seconds(1)))
            #expect(clock.now - started < .seconds(5))
            #expect(bed.requester.waitingCount == 0)
        }
    }
}
