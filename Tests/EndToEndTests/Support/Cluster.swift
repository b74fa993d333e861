import Foundation
import TestSupport

/// The whole system as separate processes, as a user runs it: the API, scheduler and conductor
/// on the root namespace's loopback beside RabbitMQ and PostgreSQL, and one or more
/// "hypervisors" — the compute, volume and network agents — each inside a network namespace of
/// its own, reaching the broker through a loopback relay (design §6). With several, the
/// hypervisors share an underlay (a veth each to a bridge in a namespace of its own, addresses
/// 10.88.0.N) that their porters' VXLAN overlay runs on. Each run gets a fresh RabbitMQ vhost and
/// a fresh database, so nothing another test or a quickstart left behind takes part, and both
/// are dropped afterwards.
final class Cluster: @unchecked Sendable {
    /// The host id the seed's example pins (the first hypervisor's), so the example works as
    /// written.
    static let hostID = "85cf3a3a-18e4-4fe2-b406-9e79079cae07"
    static let token = "e2e-" + UUID().uuidString

    /// One hypervisor: its namespace, host id, agents and folders.
    struct Hypervisor: @unchecked Sendable {
        let index: Int
        let hostID: String
        let namespace: NetworkNamespace
        let relay: LoopbackRelay
        let workDirectory: String
        /// The agents' ids, fixed so the test can find them in the graph.
        let agentIDs: [String: String]
        /// Its address on the underlay, when the cluster has several hypervisors.
        let underlayAddress: String?

        var computeStateDirectory: String { "\(workDirectory)/compute-kvm" }
        var volumeDirectory: String { "\(workDirectory)/volumes" }
        /// The hypervisor's images directory (`compute.images_directory`, `volumer.images_directory`).
        var imagesDirectory: String { "\(workDirectory)/images" }
        var embedRoot: String { "\(workDirectory)/lv" }
        /// How its services are named in ``Cluster/services``: `n0core-KIND`, and `@hN` after
        /// the first hypervisor.
        func serviceName(_ kind: String) -> String { index == 0 ? "n0core-\(kind)" : "n0core-\(kind)@h\(index)" }
    }

    let hypervisors: [Hypervisor]
    let workDirectory: String
    let apiURL: String
    private(set) var services: [String: ServiceProcess] = [:]
    /// Where each executable serves `/metrics`, and the namespace it is reached in (see
    /// ``metrics(of:)``).
    private(set) var metricsEndpoints: [String: (url: String, namespace: NetworkNamespace?)] = [:]
    private let underlay: NetworkNamespace?
    private let scratch: ScratchBackends

    /// The first hypervisor's, for the tests of one.
    var namespace: NetworkNamespace { hypervisors[0].namespace }
    var agentIDs: [String: String] { hypervisors[0].agentIDs }
    var computeStateDirectory: String { hypervisors[0].computeStateDirectory }
    var volumeDirectory: String { hypervisors[0].volumeDirectory }
    var imagesDirectory: String { hypervisors[0].imagesDirectory }
    var embedRoot: String { hypervisors[0].embedRoot }

    private init(hypervisors: [Hypervisor], underlay: NetworkNamespace?, workDirectory: String, apiURL: String,
                 scratch: ScratchBackends) {
        self.hypervisors = hypervisors
        self.underlay = underlay
        self.workDirectory = workDirectory
        self.apiURL = apiURL
        self.scratch = scratch
    }

    /// Starts everything with `hypervisors` hypervisors and waits until every service answers
    /// ready; stops and removes all of it when `body` returns or throws (printing the services'
    /// logs when it throws).
    static func run(hypervisors count: Int = 1, _ body: (Cluster) async throws -> Void) async throws {
        let scratch = try await ScratchBackends.create()
        // Short: libvirt's sockets under the embed root must fit in 108 bytes.
        let work = "/tmp/n0e2e-\(UUID().uuidString.prefix(6).lowercased())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        var hypervisors: [Hypervisor] = []
        var underlay: NetworkNamespace?
        var cluster: Cluster?
        do {
            if count > 1 {
                underlay = try NetworkNamespace.create(prefix: "n0ul")
                try underlay!.check(["ip", "link", "add", "ul", "type", "bridge"])
                try underlay!.check(["ip", "link", "set", "ul", "up"])
            }
            for index in 0..<count {
                let namespace = try NetworkNamespace.create(prefix: "n0e2e")
                let relay: LoopbackRelay
                do { relay = try LoopbackRelay(namespace: namespace, port: scratch.amqpPort) } catch {
                    namespace.delete()
                    throw error
                }
                let directory = index == 0 ? work : "\(work)/h\(index)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
                let hypervisor = Hypervisor(
                    index: index, hostID: index == 0 ? Self.hostID : UUID().uuidString.lowercased(), namespace: namespace,
                    relay: relay, workDirectory: directory,
                    agentIDs: Dictionary(uniqueKeysWithValues: ["compute-kvm", "volumer-file", "porter-vlan"].map {
                        ($0, UUID().uuidString.lowercased())
                    }),
                    underlayAddress: underlay == nil ? nil : "10.88.0.\(index + 1)")
                hypervisors.append(hypervisor)
                if let underlay, let address = hypervisor.underlayAddress {
                    let outside = "ulp\(index)"
                    try namespace.check(["ip", "link", "add", "ul0", "type", "veth", "peer", "name", outside, "netns", underlay.name])
                    try underlay.check(["ip", "link", "set", outside, "master", "ul"])
                    try underlay.check(["ip", "link", "set", outside, "up"])
                    try namespace.check(["ip", "addr", "add", "\(address)/24", "dev", "ul0"])
                    try namespace.check(["ip", "link", "set", "ul0", "up"])
                }
            }
            let apiPort = TCPPort.free()
            cluster = Cluster(hypervisors: hypervisors, underlay: underlay, workDirectory: work,
                              apiURL: "http://127.0.0.1:\(apiPort)", scratch: scratch)
            try await cluster!.start(apiPort: apiPort)
            try await body(cluster!)
            await cluster!.stopServices()
        } catch {
            if let cluster {
                await cluster.stopServices()
                cluster.printLogs()
            }
            Self.cleanUp(hypervisors: hypervisors, underlay: underlay, scratch: scratch, work: work)
            throw error
        }
        Self.cleanUp(hypervisors: hypervisors, underlay: underlay, scratch: scratch, work: work)
    }

    private static func cleanUp(hypervisors: [Hypervisor], underlay: NetworkNamespace?, scratch: ScratchBackends, work: String) {
        for hypervisor in hypervisors {
            hypervisor.relay.stop()
            hypervisor.namespace.delete()
        }
        underlay?.delete()
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
        let agentHealth = ["compute-kvm": 9201, "volumer-file": 9202, "porter-vlan": 9203]
        metricsEndpoints = [
            "n0core-api": ("\(apiURL)/metrics", nil),
            "n0core-scheduler": ("http://127.0.0.1:\(health.scheduler)/metrics", nil),
            "n0core-conductor": ("http://127.0.0.1:\(health.conductor)/metrics", nil),
        ]
        for hypervisor in hypervisors {
            try launchAgents(on: hypervisor, common: common, health: agentHealth)
        }
        try await waitUntil("the API is ready", within: .seconds(60)) {
            try HTTP.get("\(self.apiURL)/readyz").status == 200
        }
        for port in [health.scheduler, health.conductor] {
            try await waitUntil("127.0.0.1:\(port)/readyz", within: .seconds(60)) {
                try HTTP.get("http://127.0.0.1:\(port)/readyz").status == 200
            }
        }
        for hypervisor in hypervisors {
            for port in agentHealth.values {
                try await waitUntil("agent 127.0.0.1:\(port)/readyz in \(hypervisor.namespace.name)", within: .seconds(60)) {
                    try HTTP.get("http://127.0.0.1:\(port)/readyz", namespace: hypervisor.namespace).status == 200
                }
            }
            // The scheduler places objects only on agents whose heartbeat the conductor recorded.
            for (kind, id) in hypervisor.agentIDs {
                try await waitUntil("agent \(kind) alive in the graph", within: .seconds(60)) {
                    try self.api(.get, "/api/objects/\(id)").body.contains("\"desired_state\":\"alived\"")
                }
            }
        }
    }

    /// Starts the three agents of `hypervisor` inside its namespace, where its relay serves the
    /// broker on the same loopback port.
    private func launchAgents(on hypervisor: Hypervisor, common: [String: String], health: [String: Int]) throws {
        let agent = common.merging([
            "N0CORE_HOST_ID": hypervisor.hostID,
            "N0CORE_AGENT_HEARTBEAT_SECONDS": "2",
        ]) { $1 }
        try FileManager.default.createDirectory(atPath: hypervisor.imagesDirectory, withIntermediateDirectories: true)
        for (kind, port) in health.sorted(by: { $0.key < $1.key }) {
            if hypervisor.index == 0 {
                metricsEndpoints["n0core-\(kind)"] = ("http://127.0.0.1:\(port)/metrics", hypervisor.namespace)
            }
            var environment = agent.merging([
                "N0CORE_AGENT_ID": hypervisor.agentIDs[kind]!,
                "N0CORE_AGENT_STATE_DIR": "\(hypervisor.workDirectory)/\(kind)",
                "N0CORE_HEALTH_LISTEN": "127.0.0.1:\(port)",
            ]) { $1 }
            switch kind {
            case "compute-kvm":
                environment["N0CORE_COMPUTE_LIBVIRT_URI"] = "qemu:///embed?root=\(hypervisor.embedRoot)"
                environment["N0CORE_COMPUTE_VIRT_TYPE"] = "qemu"
                environment["N0CORE_COMPUTE_SHUTDOWN_TIMEOUT_SECONDS"] = "5"
                environment["N0CORE_COMPUTE_IMAGES_DIRECTORY"] = hypervisor.imagesDirectory
            case "volumer-file":
                environment["N0CORE_VOLUMER_DATA_DIR"] = hypervisor.volumeDirectory
                environment["N0CORE_VOLUMER_IMAGES_DIRECTORY"] = hypervisor.imagesDirectory
                // Across hosts, volumers serve their volumes on the underlay for moves (drain),
                // as docs/deployment.md sets them up.
                if let address = hypervisor.underlayAddress {
                    environment["N0CORE_VOLUMER_EXPORT_LISTEN"] = "\(address):\(Self.volumeExportPort)"
                    environment["N0CORE_VOLUMER_EXPORT_URL"] = "http://\(address):\(Self.volumeExportPort)"
                    environment["N0CORE_VOLUMER_EXPORT_SECRET_FILE"] = try volumeExportSecret()
                }
            case "porter-vlan":
                if let address = hypervisor.underlayAddress { environment["N0CORE_PORTER_VXLAN_LOCAL"] = address }
            default:
                break
            }
            let name = hypervisor.serviceName(kind)
            services[name] = try ServiceProcess(
                "n0core-\(kind)", environment: environment, namespace: hypervisor.namespace, umask: 0o077,
                logPath: "\(workDirectory)/\(name).log")
        }
    }

    /// The port volumers serve volumes on, on their hypervisor's underlay address.
    static let volumeExportPort = 8476

    /// The secret every volumer of the cluster shares for volume copies (0600), made once.
    private func volumeExportSecret() throws -> String {
        let path = "\(workDirectory)/volume-export.secret"
        if !FileManager.default.fileExists(atPath: path) {
            let secret = (0..<4).map { _ in UUID().uuidString }.joined(separator: "-")
            guard FileManager.default.createFile(atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
        return path
    }

    /// Starts a service as `deploy/quickstart.sh` does: under a umask of 077, so each agent makes
    /// its state directory 0700 (beneath a work directory others can pass through, like the
    /// demo's `/var/lib/n0core-demo/agents`).
    private func launch(_ executable: String, _ environment: [String: String]) throws {
        services[executable] = try ServiceProcess(
            executable, environment: environment, namespace: nil, umask: 0o077,
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
