import ArgumentParser
import Bench
import Broker
import Foundation
import Logging

/// `n0core-bench load`: the seed's example against a running system, with the floor measured
/// in the same run.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "POST the seed's example at a set concurrency and measure latency, throughput and the floor.",
        discussion: """
            Phases, in order: a warm-up (not judged against latency targets), a latency phase with one client, \
            and a throughput phase with --concurrency clients. Each client POSTs, waits until the spec is \
            applied (from the event log), and POSTs again. The API token, the database URL and the broker \
            URL default to N0CORE_API_TOKEN, N0CORE_DATABASE_URL and N0CORE_AMQP_URL.
            """
    )

    @OptionGroup var system: SystemOptions

    @Option(help: "Clients of the throughput phase, each with one spec in flight.")
    var concurrency = 16

    @Option(help: "Seconds of the throughput phase (0 skips it).")
    var duration = 60

    @Option(help: "Seconds of the one-client latency phase (0 skips it).")
    var latencyDuration = 15

    @Option(help: "Seconds of warm-up before the measured phases (0 skips it).")
    var warmupDuration = 3

    @Option(help: "Seconds after which an accepted spec neither applied nor failed counts as lost.")
    var specTimeout = 60

    @Option(help: "Wait until this many agents are alive before starting.")
    var agents = 1

    @Option(help: "Samples of each floor measurement.")
    var floorSamples = 500

    @Option(name: .customLong("service"), help: "NAME=PID of a process whose memory to report (repeatable).")
    var services: [String] = []

    @Option(help: "After the phases, store this many applied specs straight into the database and run the judged phases again (0 skips it).")
    var storedSpecs = 0

    @Option(help: "A report written by `n0core-bench placement --json` to include.")
    var include: String?

    @Option(help: "Write the report as JSON here.")
    var json: String?

    func run() async throws {
        let resolved = try system.resolve()
        let (token, database, amqp, logger, described) =
            (resolved.token, resolved.databaseURL, resolved.amqpURL, resolved.logger, resolved.settings)

        let processes = try services.map { entry -> (name: String, pid: Int32) in
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let pid = Int32(parts[1]) else { throw ValidationError("--service \(entry): expected NAME=PID") }
            return (String(parts[0]), pid)
        }

        // One URL, or a cluster's nodes separated by commas, as the services take it.
        let nodes = try AMQPURL.list(parsing: amqp)
        var benchmark = LoadBenchmark(
            load: LoadSettings(endpoint: try APIEndpoint(parsing: system.api), token: token, specTimeout: .seconds(specTimeout)),
            databaseURL: database,
            broker: BrokerConfiguration(url: nodes[0], failoverURLs: Array(nodes.dropFirst()), appID: "n0core-bench"),
            phases: [
                .init(name: "warm-up", judged: false, concurrency: 2, duration: .seconds(warmupDuration)),
                .init(name: "latency, 1 client", concurrency: 1, duration: .seconds(latencyDuration)),
                .init(name: "throughput, \(concurrency) clients", concurrency: concurrency, duration: .seconds(duration)),
            ],
            agents: agents, floorSamples: floorSamples, services: processes, settings: described)
        benchmark.storedSpecs = storedSpecs
        var report = try await benchmark.run(logger: logger)
        if let include {
            let other = try BenchReport.decode(try Data(contentsOf: URL(fileURLWithPath: include)))
            report.placement += other.placement
        }
        try publish(report, json: json)
    }
}
