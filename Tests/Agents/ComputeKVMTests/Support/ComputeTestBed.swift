import Broker
import Clients
import Foundation
import Logging
import Messages
import Synchronization
import TestSupport
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// One hypervisor for a test: a network namespace with a bridge, a real qcow2 volume, and the
/// real `n0core-compute-kvm` executable running inside the namespace on libvirt's embedded
/// QEMU driver (so its taps land on the namespace's bridge), reaching the broker through a
/// loopback relay, in a virtual host of its own. The test talks to it only through the broker,
/// as the scheduler and the other agents would, and reads libvirt's own records back.
///
/// Use ``with(_:)``: it stops the agent, kills the guests (by deleting the namespace), and
/// removes the virtual host and every file, whatever happens.
final class ComputeTestBed: Sendable {
    let agentID = ObjectID()
    let hostID = ObjectID()
    let namespace: NetworkNamespace
    /// Short, since QEMU's sockets live under the embedded root (≤ 108 bytes).
    let directory: String
    let bridge: String
    let virtualHost: ScratchVirtualHost
    let publisher: Publisher
    let conductor: Consumer
    private let relay: LoopbackRelay
    private let received = Received()
    private let tasks: [Task<Void, Never>]
    private let agent = Mutex<ServiceProcess?>(nil)
    /// One log per start, so a restarted agent's readiness line is its own.
    private let starts = Mutex(0)

    var root: String { "\(directory)/r" }
    var stateDirectory: String { "\(directory)/s" }
    func logPath(_ start: Int) -> String { "\(directory)/agent-\(start).log" }
    var libvirtURI: String { "qemu:///embed?root=\(root)" }

    private init() async throws {
        let base = try IntegrationEnvironment.requireBroker()
        directory = "/tmp/n0k-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: "\(directory)/v", withIntermediateDirectories: true)
        bridge = "br-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        namespace = try NetworkNamespace.create(prefix: "n0k")
        do {
            try namespace.check(["ip", "link", "add", bridge, "type", "bridge"])
            try namespace.check(["ip", "link", "set", bridge, "up"])
            relay = try LoopbackRelay(namespace: namespace, port: base.port)
        } catch {
            namespace.delete()
            throw error
        }
        do {
            virtualHost = try await ScratchVirtualHost.create(base: base, prefix: "n0t-compute")
        } catch {
            relay.stop()
            namespace.delete()
            throw error
        }
        var logger = Logger(label: "n0core.compute.integration")
        logger.logLevel = .critical
        let broker = IntegrationEnvironment.brokerConfiguration(url: virtualHost.url, appID: "n0core-compute-test")
        publisher = Publisher(configuration: broker,
                              topology: ConductorClient.topology.declaringQueue(AgentClient.queue(agentID)), logger: logger)
        conductor = Consumer(configuration: broker, queue: ConductorClient.queue, deadLetterPublisher: publisher, logger: logger)
        let (publisher, conductor, received) = (publisher, conductor, self.received)
        tasks = [
            Task { try? await publisher.run() },
            Task { try? await conductor.run() },
            Task {
                do {
                    for try await delivery in conductor {
                        received.append(delivery)
                        try await delivery.ack()
                    }
                } catch {}
            },
        ]
    }

    static func with(_ body: (ComputeTestBed) async throws -> Void) async throws {
        let bed = try await ComputeTestBed()
        do {
            try await body(bed)
        } catch {
            print("---- n0core-compute-kvm log ----\n\(bed.agentLog)\n----")
            await bed.close()
            throw error
        }
        await bed.close()
    }

    private func close() async {
        await stopAgent()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        namespace.delete()  // kills the guests, removes the bridge and taps
        relay.stop()
        virtualHost.delete()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: The agent

    /// Starts the agent executable inside the namespace and waits until it has joined.
    func startAgent() async throws {
        let start = starts.withLock { count in
            count += 1
            return count
        }
        let process = try ServiceProcess("n0core-compute-kvm", environment: [
            "N0CORE_AMQP_URL": virtualHost.urlText,
            "N0CORE_AGENT_ID": agentID.description,
            "N0CORE_HOST_ID": hostID.description,
            "N0CORE_AGENT_STATE_DIR": stateDirectory,
            "N0CORE_AGENT_DEPENDENCY_TIMEOUT_SECONDS": "60",
            "N0CORE_COMPUTE_LIBVIRT_URI": libvirtURI,
            "N0CORE_COMPUTE_VIRT_TYPE": "qemu",
            "N0CORE_COMPUTE_SHUTDOWN_TIMEOUT_SECONDS": "2",
            "N0CORE_LOG_LEVEL": "debug",
        ], namespace: namespace, logPath: logPath(start))
        agent.withLock { $0 = process }
        try await process.waitForLog("agent joining", timeout: .seconds(60))
    }

    /// SIGTERM; the guests keep running, as they do when the agent restarts on a real host.
    func stopAgent() async {
        if let process = agent.withLock({ $0 }) {
            await process.stop()
            agent.withLock { $0 = nil }
        }
    }

    /// Every start's log, in order.
    var agentLog: String {
        (1...max(1, starts.withLock { $0 })).map { start in
            (try? String(contentsOfFile: logPath(start), encoding: .utf8)) ?? ""
        }.joined(separator: "--- restarted ---\n")
    }

    func waitForAgentLog(_ text: String) async throws {
        guard let process = agent.withLock({ $0 }) else { throw Failure("the agent is not running") }
        try await process.waitForLog(text)
    }

    // MARK: Messages

    func send(_ request: RequestMessage) async throws {
        try await publisher.publish(AgentClient.request(request, to: agentID, trace: nil), timeout: .seconds(10))
    }

    func send(_ notify: NotifyMessage) async throws {
        try await publisher.publish(AgentClient.notify(notify, to: agentID, trace: nil), timeout: .seconds(10))
    }

    func notifies(about id: ObjectID) -> [NotifyMessage] {
        received.all.compactMap { delivery -> NotifyMessage? in
            guard delivery.properties.type == "Notify" else { return nil }
            return try? MessageCodec.decode(NotifyMessage.self, from: delivery.data, format: .json)
        }.filter { $0.object.id == id }
    }

    func heartbeats() -> [HeartbeatMessage] {
        received.all.compactMap { delivery -> HeartbeatMessage? in
            guard delivery.properties.type == "Heartbeat" else { return nil }
            return try? MessageCodec.decode(HeartbeatMessage.self, from: delivery.data, format: .json)
        }
    }

    /// Waits for the `count`-th Notify about `id` and returns it.
    func waitForNotify(about id: ObjectID, count: Int = 1, within limit: Duration = .seconds(60)) async throws -> NotifyMessage {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let found = notifies(about: id)
            if found.count >= count { return found[count - 1] }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure("no Notify #\(count) about \(id) within \(limit); got \(notifies(about: id).map(\.message))")
    }

    // MARK: Host

    /// A qcow2 volume file of `size`, as the volumer makes one.
    func makeVolume(_ id: ObjectID, size: String = "10G") throws -> String {
        let path = "\(directory)/v/\(id)"
        try HostCommand.check(["qemu-img", "create", "-q", "-f", "qcow2", path, size])
        return path
    }

    /// The embedded driver's live record of a running domain (`ROOT/run/qemu/NAME.xml`), nil
    /// while the domain is not running.
    func liveStatus(of id: ObjectID) throws -> XMLDocument? {
        let path = "\(root)/run/qemu/n0-\(id).xml"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try XMLDocument(contentsOf: URL(fileURLWithPath: path), options: [])
    }

    /// The persistent definitions the embedded driver holds (`ROOT/etc/qemu/*.xml`), by name.
    func definedDomains() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/etc/qemu")) ?? []
        return names.filter { $0.hasSuffix(".xml") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// The interfaces enslaved to the bridge inside the namespace.
    func bridgePorts() throws -> [String] {
        let output = try namespace.check(["ip", "-o", "link", "show", "master", bridge])
        return output.split(separator: "\n").compactMap { line in
            line.split(separator: ":").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) }
        }.map { $0.split(separator: "@").first.map(String.init) ?? $0 }
    }

    /// The QEMU processes running inside the namespace.
    func qemuProcesses() -> [Int32] {
        namespace.processIDs().filter { pid in
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            return comm.hasPrefix("qemu-system")
        }
    }

    /// `virsh` on the embedded root, inside the namespace; only while the agent is stopped
    /// (one process holds an embedded root at a time).
    ///
    /// libvirt 9.0's virsh sometimes dies of SIGSEGV while exiting on an embedded root with a
    /// running guest (its QEMU driver's reconnect thread still probes the host CPU through
    /// libnuma, whose destructors have run), after printing its answer; such a run is
    /// repeated.
    func virsh(_ arguments: [String]) throws -> String {
        let command = ["virsh", "-q", "-c", libvirtURI] + arguments
        for _ in 1..<5 {
            let result = try namespace.run(command)
            if result.status == SIGSEGV { continue }
            guard result.status == 0 else {
                throw Failure("`\(command.joined(separator: " "))` exited with status \(result.status): \(result.standardError)")
            }
            return result.standardOutput
        }
        return try namespace.check(command)
    }


    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// What the test's `conductor` queue received.
final class Received: Sendable {
    private let deliveries = Mutex<[Delivery]>([])

    var all: [Delivery] { deliveries.withLock { $0 } }

    func append(_ delivery: Delivery) {
        deliveries.withLock { $0.append(delivery) }
    }
}

extension XMLDocument {
    /// The string values an XPath query selects.
    func values(_ path: String) -> [String] {
        ((try? nodes(forXPath: path)) ?? []).compactMap(\.stringValue)
    }
}
