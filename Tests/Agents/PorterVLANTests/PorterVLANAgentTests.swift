import AgentRuntime
import Clients
import Foundation
import Messages
import TestSupport
import Testing

@testable import PorterVLAN

/// The porter as an agent on the real broker, its commands inside a namespace the test made:
/// in-process through the runtime harness, and as the real `n0core-porter-vlan` executable
/// started inside the namespace (reaching the broker through a loopback relay), killed and
/// started again.
@Suite("Porter agent (RabbitMQ, network namespace)",
       .enabled(if: IntegrationEnvironment.hasBroker && PorterTestEnvironment.canRun))
struct PorterVLANAgentTests {
    typealias Env = PorterTestEnvironment

    /// `object` as a dependent waiting on agent `agent`: where its Notify is sent too.
    static func dependent(_ type: ObjectType, id: ObjectID, on agent: ObjectID, agentType: ObjectType) -> Object {
        Object(type: type, id: id, dependencies: [.scheduled(on: Object(type: agentType, id: agent))])
    }

    @Test func nicWaitsForItsNetworkAndItsNotifyCarriesTheBridgeAsSeed53() async throws {
        try await Env.withPorterHost { host in
            try await AgentHarness.with { harness in
                let agent = try harness.start(Env.driver(host))
                let mac = Env.randomMAC()
                let nic = try Env.nicRequest(mac: mac)
                try await harness.send(nic)
                try await agent.waitUntilParked()

                // The scheduler names the NIC, on this same porter, as waiting for the network.
                var network = try Env.networkRequest()
                network.specID = nic.specID
                network.dependedBy = [Self.dependent(.nic, id: Env.nicID, on: harness.agentID, agentType: .agentPorterVLAN)]
                try await harness.send(network)

                let networkNotify = try #require(try await harness.waitForNotifies(about: Env.networkID).first)
                #expect(networkNotify.level == .success)
                #expect(networkNotify.object.bridge == Env.bridge)
                let nicNotify = try #require(try await harness.waitForNotifies(about: Env.nicID).first)
                var expected = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyNIC, format: .yaml)
                expected.specID = nic.specID
                expected.object.hwAddr = mac
                expected.object = expected.object.mapObjects { object in
                    var object = object
                    if object.type == .networkVLAN { object.bridge = Env.bridge }
                    return object
                }
                #expect(nicNotify == expected, "seed 5.3, with this porter's bridge name and the NIC's MAC")

                let lease = try await DHCPClient.with(porter: host, mac: mac) { try $0.lease() }
                #expect(lease?.address == "192.168.0.1")
                try await agent.stopGracefully()
            }
        }
    }

    @Test func aFixedAddressOutsideTheSubnetGetsAnErrorNamingItAndChangesNothing() async throws {
        try await Env.withPorterHost { host in
            try await AgentHarness.with { harness in
                let agent = try harness.start(Env.driver(host))
                try await harness.send(try Env.networkRequest())
                #expect(try await harness.waitForNotifies(about: Env.networkID).first?.level == .success)
                let before = (host.hostsFileContents(), host.dnsmasqPIDs, try host.addresses(Env.bridge), try host.bridges())

                try await harness.send(try Env.nicRequest(mac: Env.randomMAC(), addresses: ["10.0.0.5"]))
                let notify = try #require(try await harness.waitForNotifies(about: Env.nicID).first)
                #expect(notify.level == .error)
                #expect(notify.message.contains("ip_addresses[0] 10.0.0.5 of NIC a1f6a79b-7ad0-499e-b912-44eb73ea0f81 is not "
                    + "inside the subnet of network 8451da31-5e3a-4c46-aa3a-2a557382a6cd (192.168.0.0/24)"), "\(notify.message)")
                #expect(notify.message.contains("nothing was created"), "\(notify.message)")
                let after = (host.hostsFileContents(), host.dnsmasqPIDs, try host.addresses(Env.bridge), try host.bridges())
                #expect(after.0 == before.0 && after.1 == before.1 && after.2 == before.2 && after.3 == before.3)
                try await agent.stopGracefully()
            }
        }
    }

    /// Runs `body` around the executable's surroundings: a virtual host of its own (its
    /// heartbeats and Notifies go to the real `conductor` queue, which there is this test's), a
    /// porter host with the broker relayed into its namespace, a harness with one dependent
    /// agent (the observer's queue) and a VM on that agent depending on what is sent (watcher).
    static func withExecutable(
        _ body: (_ host: PorterHost, _ harness: AgentHarness, _ processes: PorterProcesses, _ observer: String,
                 _ watcher: Object) async throws -> Void
    ) async throws {
        let url = try IntegrationEnvironment.requireBroker()
        let virtualHost = try await ScratchVirtualHost.create(base: url, prefix: "n0t-porter")
        defer { virtualHost.delete() }
        try await Env.withPorterHost { host in
            try await AgentHarness.with(dependents: 1, virtualHost: virtualHost) { harness in
                let relay = try LoopbackRelay(namespace: host.namespace, port: url.port)
                defer { relay.stop() }
                let processes = PorterProcesses(host: host, agentID: harness.agentID, hostID: harness.hostID,
                                                amqpURL: virtualHost.urlText)
                defer { processes.killAll() }
                try await body(host, harness, processes, AgentClient.queue(harness.dependentAgents[0]),
                               dependent(.vmKVM, id: ObjectID(), on: harness.dependentAgents[0], agentType: .agentComputeKVM))
            }
        }
    }

    @Test func theExecutableKilledAndRestartedKeepsOneDnsmasqAndServesTheNextRequest() async throws {
        try await Self.withExecutable { host, harness, processes, observer, watcher in
            func notifies(about id: ObjectID, count: Int = 1) async throws -> [NotifyMessage] {
                do {
                    return try await harness.waitForNotifies(about: id, count: count, on: observer)
                } catch {
                    throw PorterProcesses.Failure(description: "\(error); porter log:\n\(processes.logs)")
                }
            }

            var porter = try processes.start()
            try await porter.waitForLog("agent joining")
            var network = try Env.networkRequest()
            network.dependedBy = [Self.dependent(.nic, id: Env.nicID, on: harness.agentID, agentType: .agentPorterVLAN), watcher]
            try await harness.send(network)
            let applied = try #require(try await notifies(about: Env.networkID).first)
            #expect(applied.level == .success)
            #expect(applied.object.bridge == Env.bridge)
            #expect(try host.bridges() == [Env.bridge])
            let pids = host.dnsmasqPIDs
            #expect(pids.count == 1)

            porter.crash()
            #expect(host.dnsmasqPIDs == pids, "dnsmasq outlives the porter")
            porter = try processes.start()
            try await porter.waitForLog("agent joining")
            #expect(host.dnsmasqPIDs == pids, "the restarted porter adopted the running dnsmasq")

            let mac = Env.randomMAC()
            var nic = try Env.nicRequest(mac: mac)
            nic.specID = network.specID
            nic.dependedBy = [watcher]
            try await harness.send(nic)
            let attached = try #require(try await notifies(about: Env.nicID).first)
            #expect(attached.level == .success, "\(attached.message)")
            #expect(attached.object.dependencies(relation: Relation.portNetwork).first?.object.bridge == Env.bridge)
            let lease = try await DHCPClient.with(porter: host, mac: mac) { try $0.lease() }
            #expect(lease?.address == "192.168.0.1")
            #expect(host.dnsmasqPIDs == pids, "still one dnsmasq for the network")

            var deleted = try Env.networkRequest(state: "deleted")
            deleted.dependedBy = [watcher]
            try await harness.send(deleted)
            try await poll("the network's deletion to be reported", within: .seconds(20)) {
                harness.notifies(on: observer, about: Env.networkID).first { $0.object.desiredState == "deleted" }
            }
            #expect(try host.bridges().isEmpty)
            #expect(host.dnsmasqPIDs.isEmpty)
            #expect(await porter.stop() == 0, "graceful stop")
            #expect(!porter.log.contains("dnsmasq for network"), "no dnsmasq failure was logged")
        }
    }
}

extension PorterVLANAgentTests {
    /// The executable as `deploy/quickstart.sh` starts it: under a umask of 077, so the state
    /// directory it makes is 0700, while dnsmasq reads the hosts file as `nobody`. The NIC is
    /// reported applied only once dnsmasq read its reservation, and a client gets the address.
    @Test func theExecutableUnderTheQuickstartsUmaskServesTheFixedAddress() async throws {
        try await Self.withExecutable { host, harness, processes, observer, watcher in
            let porter = try processes.start(umask: 0o077)
            try await porter.waitForLog("agent joining")
            #expect(DirectorySearch.mode(of: host.stateDirectory) == 0o701,
                    "made 0700 under the umask; others may now pass through it, not list it")

            var network = try Env.networkRequest()
            network.dependedBy = [Self.dependent(.nic, id: Env.nicID, on: harness.agentID, agentType: .agentPorterVLAN), watcher]
            try await harness.send(network)
            let mac = Env.randomMAC()
            var nic = try Env.nicRequest(mac: mac)
            nic.specID = network.specID
            nic.dependedBy = [watcher]
            try await harness.send(nic)
            let attached = try #require(try await harness.waitForNotifies(about: Env.nicID, on: observer).first)
            #expect(attached.level == .success, "\(attached.message)\n\(processes.logs)")
            let log = try String(contentsOfFile: "\(host.stateDirectory)/networks/\(Env.networkID)/dnsmasq.log", encoding: .utf8)
            #expect(log.contains(": read \(host.hostsFile)\n") && !log.contains("cannot read"), "\(log)")
            let lease = try await DHCPClient.with(porter: host, mac: mac) { try $0.lease() }
            #expect(lease?.address == "192.168.0.1")
            #expect(await porter.stop() == 0, "graceful stop")
        }
    }
}

/// The `n0core-porter-vlan` processes of one test, started in its namespace with its state
/// directory and identity; each start logs to a file of its own, removed at the end.
final class PorterProcesses: @unchecked Sendable {
    let host: PorterHost
    let environment: [String: String]
    private var started: [ServiceProcess] = []

    init(host: PorterHost, agentID: ObjectID, hostID: ObjectID, amqpURL: String) {
        self.host = host
        environment = [
            "N0CORE_AMQP_URL": amqpURL,
            "N0CORE_AGENT_ID": agentID.description, "N0CORE_HOST_ID": hostID.description,
            "N0CORE_AGENT_STATE_DIR": host.stateDirectory, "N0CORE_LOG_LEVEL": "debug",
        ]
    }

    func start(umask: mode_t? = nil) throws -> ServiceProcess {
        let log = NSTemporaryDirectory() + "n0core-porter-test-\(UUID().uuidString.lowercased()).log"
        let process = try ServiceProcess("n0core-porter-vlan", environment: environment, namespace: host.namespace,
                                         umask: umask, logPath: log)
        started.append(process)
        return process
    }

    var logs: String {
        started.map(\.log).joined(separator: "\n--- restarted ---\n")
    }

    func killAll() {
        for process in started {
            process.crash()
            try? FileManager.default.removeItem(atPath: process.logPath)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
