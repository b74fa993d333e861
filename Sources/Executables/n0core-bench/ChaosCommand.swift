import ArgumentParser
import Bench
import Broker
import Foundation
import Logging

/// `n0core-bench chaos`: a steady load through a schedule of faults, then checks that every
/// accepted spec settled and nothing was lost, duplicated or dead-lettered. `deploy/chaos.sh`
/// starts the system (its own broker and database) and runs it; see docs/reliability.md.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Inject faults into a running system under load and check what it left behind.",
        discussion: """
            The faults are carried out by --fault-command (deploy/chaos.sh fault ACTION ARGS…), which owns \
            the processes, the broker, the database and the relay; poison messages are published by this \
            command. Exits non-zero when a check fails. The API token, the database URL and the broker URL \
            default to N0CORE_API_TOKEN, N0CORE_DATABASE_URL and N0CORE_AMQP_URL.
            """
    )

    @OptionGroup var system: SystemOptions

    @Option(help: "full, short, or custom (with --fault).")
    var profile = "full"





    @Option(help: "The program that carries out faults, with its leading arguments (split on spaces).")
    var faultCommand: String

    @Option(help: "--state-root of the simulated hypervisors (their agents' held/ files).")
    var agentStateRoot: String

    @Option(help: "Wait until this many agents are alive before starting.")
    var agents = 1

    @Option(help: "Directory of NAME.pid files of the services, checked at the end.")
    var pidDir: String?

    @Option(help: "Clients of the load, each with one spec in flight.")
    var clients = 4

    @Option(help: "Delete every n-th spec a client saw applied (0: never).")
    var deleteEvery = 4

    @Option(help: "Seconds a client waits for its version before moving on.")
    var specWait = 120

    @Option(help: "Seconds, after the load stops, to wait for every version to leave pending.")
    var settleTimeout = 600

    @Option(help: "Seconds given to late clean-ups once everything settled, before the agents' state is read.")
    var quiet = 10

    @Option(help: "agent.heartbeat_seconds of the agents (the schedule outlasts three).")
    var agentHeartbeat = 5

    @Option(help: "amqp.heartbeat_seconds of the services (a silent connection outlasts four).")
    var amqpHeartbeat = 15

    @Option(help: "Seconds PostgreSQL stays stopped in the long outage (full profile).")
    var databaseOutage: Int?

    @Option(help: "Seconds the broker stays stopped.")
    var brokerOutage: Int?

    @Option(name: .customLong("metrics"), help: "NAME=URL of a service's /metrics; a consumer still paused at the end fails the run (repeatable).")
    var metrics: [String] = []

    @Option(name: .customLong("fault"), help: "With --profile custom: a fault, INJECT or INJECT|SECONDS|HEAL (repeatable), e.g. 'pg-stop|120|pg-start'.")
    var faults: [String] = []


    @Option(help: "Write the report as JSON here.")
    var json: String?


    func run() async throws {
        let resolved = try system.resolve()
        let (token, database, amqp, logger, described) =
            (resolved.token, resolved.databaseURL, resolved.amqpURL, resolved.logger, resolved.settings)
        var timings = profile == "short" ? ChaosSchedule.Timings.short : .full
        timings.agentHeartbeat = Double(agentHeartbeat)
        timings.amqpHeartbeat = Double(amqpHeartbeat)
        if let databaseOutage { timings.databaseOutage = Double(databaseOutage) }
        if let brokerOutage { timings.brokerOutage = Double(brokerOutage) }
        let schedule = profile == "custom"
            ? try ChaosSchedule.custom(faults, timings: timings) : try ChaosSchedule.profile(profile, timings: timings)
        let metricURLs = try metrics.map { entry -> (name: String, url: String) in
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--metrics \(entry): expected NAME=URL") }
            return (String(parts[0]), String(parts[1]))
        }
        let command = faultCommand.split(separator: " ").map(String.init)
        guard !command.isEmpty else { throw ValidationError("--fault-command is empty") }

        // One URL, or a cluster's nodes separated by commas, as the services take it.
        let nodes = try AMQPURL.list(parsing: amqp)
        let run = ChaosRun(
            schedule: schedule,
            load: ChaosLoadSettings(endpoint: try APIEndpoint(parsing: system.api), token: token, clients: clients,
                                    deleteEvery: deleteEvery, settleWait: .seconds(specWait)),
            databaseURL: database,
            broker: BrokerConfiguration(url: nodes[0], failoverURLs: Array(nodes.dropFirst()), appID: PoisonMessages.appID),
            faultCommand: FaultCommand(command: command), agentStateRoot: agentStateRoot, agents: agents,
            pidDirectory: pidDir, settleLimit: .seconds(settleTimeout), quiet: .seconds(quiet), settings: described,
            metrics: metricURLs)
        let report = try await run.run(logger: logger)
        if let json {
            let url = URL(fileURLWithPath: json)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try report.json().write(to: url)
        }
        FileHandle.standardOutput.write(Data(ChaosTable.render(report).utf8))
        if !report.passed { throw ExitCode(1) }
    }
}
