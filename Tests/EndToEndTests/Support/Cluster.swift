import Foundation
import TestSupport

/// The whole system as separate processes, as a user runs it: the API, scheduler and conductor
/// on the root namespace's loopback beside RabbitMQ and PostgreSQL, and one "hypervisor" — the
/// compute, volume and network agents — inside a network namespace of its own, reaching the
/// broker through a loopback relay (design §6). Each run gets a fresh RabbitMQ vhost and a fresh
/// database, so nothing another test or a quickstart left behind takes part, and both are
/// dropped afterwards.
final class Cluster: @unchecked Sendable {
    /// The host id the seed's example pins, so the example works as written.
    static let hostID = "85cf3a3a-18e4-4fe2-b406-9e79079cae07"
    static let token = "e2e-" + UUID().uuidString

    let namespace: NetworkNamespace
    let workDirectory: String
    let apiURL: String
    private(set) var services: [String: ServiceProcess] = [:]
    /// Where each executable serves `/metrics`, and the namespace it is reached in (see
    /// ``metrics(of:)``).
    private(set) var metricsEndpoints: [String: (url: String, namespace: NetworkNamespace?)] = [:]
    /// The agents' ids, fixed so the test can find them in the graph.
    let agentIDs = ["compute-kvm": UUID().uuidString.lowercased(), "volumer-file": UUID().uuidString.lowercased(),
                    "porter-vlan": UUID().uuidString.lowercased()]
    private let relay: LoopbackRelay
    private let scratch: ScratchBackends

    var computeStateDirectory: String { "\(workDirectory)/compute-kvm" }
    var volumeDirectory: String { "\(workDirectory)/volumes" }
    /// The hypervisor's images directory (`compute.images_directory`, `volumer.images_directory`).
    var imagesDirectory: String { "\(workDirectory)/images" }
    var embedRoot: String { "\(workDirectory)/lv" }

    private init(namespace: NetworkNamespace, workDirectory: String, apiURL: String,
                 relay: LoopbackRelay, scratch: ScratchBackends) {
        self.namespace = namespace
        self.workDirectory = workDirectory
        self.apiURL = apiURL
        self.relay = relay
        self.scratch = scratch
    }

    /// Starts everything and waits until every service answers ready; stops and removes all of
    /// it when `body` returns or throws (printing the services' logs when it throws).
    static func run(_ body: (Cluster) async throws -> Void) async throws {
        let scratch = try await ScratchBackends.create()
        // Short: libvirt's sockets under the embed root must fit in 108 bytes.
        let work = "/tmp/n0e2e-\(UUID().uuidString.prefix(6).lowercased())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        var namespace: NetworkNamespace?
        var relay: LoopbackRelay?
        var cluster: Cluster?
        do {
            namespace = try NetworkNamespace.create(prefix: "n0e2e")
            relay = try LoopbackRelay(namespace: namespace!, port: scratch.amqpPort)
            let apiPort = TCPPort.free()
            cluster = Cluster(namespace: namespace!, workDirectory: work, apiURL: "http://127.0.0.1:\(apiPort)",
                              relay: relay!, scratch: scratch)
            try await cluster!.start(apiPort: apiPort)
            try await body(cluster!)
            await cluster!.stopServices()
        } catch {
            if let cluster {
                await cluster.stopServices()
                cluster.printLogs()
            }
            Self.cleanUp(namespace: namespace, relay: relay, scratch: scratch, work: work)
            throw error
        }
        Self.cleanUp(namespace: namespace, relay: relay, scratch: scratch, work: work)
    }

    private static func cleanUp(namespace: NetworkNamespace?, relay: LoopbackRelay?, scratch: ScratchBackends, work: String) {
        relay?.stop()
        namespace?.delete()
        scratch.drop()
        try? FileManager.default.removeItem(atPath: work)
    }

    private func start(apiPort: Int) async throws {
        let common = [
            "N0CORE_AMQP_URL": scratch.amqpURL,
            "N0CORE_LOG_LEVEL": "info",
        ]
        let control = common.merging(["N0CORE_DATABASE_URL": scratch.databaseURL]) { $1 }
        let health = (scheduler: TCPPort.free(), conductor: TCPPort.free())
        try launch("n0core-api", control.merging([
            "N0CORE_API_LISTEN": "127.0.0.1:\(apiPort)", "N0CORE_API_TOKENS": Self.token,
            // A followed console ends on its own within the tests' HTTP timeout.
            "N0CORE_API_CONSOLE_FOLLOW_SECONDS": "3",
        ]) { $1 })
        try launch("n0core-scheduler", control.merging(["N0CORE_HEALTH_LISTEN": "127.0.0.1:\(health.scheduler)"]) { $1 })
        try launch("n0core-conductor", control.merging([
            "N0CORE_HEALTH_LISTEN": "127.0.0.1:\(health.conductor)",
            "N0CORE_CONDUCTOR_SWEEP_INTERVAL_SECONDS": "1",
        ]) { $1 })
        // Inside the namespace the relay serves the broker on the same loopback port.
        let agent = common.merging([
            "N0CORE_HOST_ID": Self.hostID,
            "N0CORE_AGENT_HEARTBEAT_SECONDS": "2",
        ]) { $1 }
        let agentHealth = ["compute-kvm": 9201, "volumer-file": 9202, "porter-vlan": 9203]
        metricsEndpoints = [
            "n0core-api": ("\(apiURL)/metrics", nil),
            "n0core-scheduler": ("http://127.0.0.1:\(health.scheduler)/metrics", nil),
            "n0core-conductor": ("http://127.0.0.1:\(health.conductor)/metrics", nil),
        ]
        for (kind, port) in agentHealth { metricsEndpoints["n0core-\(kind)"] = ("http://127.0.0.1:\(port)/metrics", namespace) }
        try FileManager.default.createDirectory(atPath: imagesDirectory, withIntermediateDirectories: true)
        for (kind, port) in agentHealth.sorted(by: { $0.key < $1.key }) {
            var environment = agent.merging([
                "N0CORE_AGENT_ID": agentIDs[kind]!,
                "N0CORE_AGENT_STATE_DIR": "\(workDirectory)/\(kind)",
                "N0CORE_HEALTH_LISTEN": "127.0.0.1:\(port)",
            ]) { $1 }
            switch kind {
            case "compute-kvm":
                environment["N0CORE_COMPUTE_LIBVIRT_URI"] = "qemu:///embed?root=\(embedRoot)"
                environment["N0CORE_COMPUTE_VIRT_TYPE"] = "qemu"
                environment["N0CORE_COMPUTE_SHUTDOWN_TIMEOUT_SECONDS"] = "5"
                environment["N0CORE_COMPUTE_IMAGES_DIRECTORY"] = imagesDirectory
            case "volumer-file":
                environment["N0CORE_VOLUMER_DATA_DIR"] = volumeDirectory
                environment["N0CORE_VOLUMER_IMAGES_DIRECTORY"] = imagesDirectory
            default:
                break
            }
            try launch("n0core-\(kind)", environment, inNamespace: true)
        }
        try await waitUntil("the API is ready", within: .seconds(60)) {
            try HTTP.get("\(self.apiURL)/readyz").status == 200
        }
        for port in [health.scheduler, health.conductor] {
            try await waitUntil("127.0.0.1:\(port)/readyz", within: .seconds(60)) {
                try HTTP.get("http://127.0.0.1:\(port)/readyz").status == 200
            }
        }
        for port in agentHealth.values {
            try await waitUntil("agent 127.0.0.1:\(port)/readyz in \(namespace.name)", within: .seconds(60)) {
                try HTTP.get("http://127.0.0.1:\(port)/readyz", namespace: self.namespace).status == 200
            }
        }
        // The scheduler places objects only on agents whose heartbeat the conductor recorded.
        for (kind, id) in agentIDs {
            try await waitUntil("agent \(kind) alive in the graph", within: .seconds(60)) {
                try self.api(.get, "/api/objects/\(id)").body.contains("\"desired_state\":\"alived\"")
            }
        }
    }

    /// Starts a service as `deploy/quickstart.sh` does: under a umask of 077, so each agent makes
    /// its state directory 0700 (beneath a work directory others can pass through, like the
    /// demo's `/var/lib/n0core-demo/agents`).
    private func launch(_ executable: String, _ environment: [String: String], inNamespace: Bool = false) throws {
        services[executable] = try ServiceProcess(
            executable, environment: environment, namespace: inNamespace ? namespace : nil, umask: 0o077,
            logPath: "\(workDirectory)/\(executable).log")
    }

    func stopServices() async {
        for (_, service) in services { await service.stop() }
    }

    func printLogs() {
        for (name, service) in services.sorted(by: { $0.key < $1.key }) {
            print("----- \(name) log -----\n\(service.log.suffix(6000))")
        }
    }

    /// Calls the API with the cluster's token.
    func api(_ method: HTTP.Method, _ path: String, body: String? = nil, accept: String = "application/json") throws -> HTTP.Response {
        try HTTP.request(method, "\(apiURL)\(path)", token: Self.token, body: body, accept: accept)
    }
}
