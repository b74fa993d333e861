import AgentRuntime
import ArgumentParser
import Broker
import VolumerFile
import ServiceSupport

/// `n0core-volumer-file`: the volume agent; keeps qcow2 volumes made with qemu-img.
@main
struct N0CoreVolumerFile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "n0core-volumer-file",
        abstract: "The n0core volume agent; keeps qcow2 volumes made with qemu-img.",
        discussion: "Settings come from --config and N0CORE_* environment variables; see docs/configuration.md."
    )

    @Option(help: "A YAML configuration file.")
    var config: String?

    func run() async throws {
        let daemon = try await Daemon.bootstrap(name: "n0core-volumer-file", configFile: config)
        let configuration = try VolumerFileConfiguration(reader: daemon.configuration.reader)
        let runner = ProcessCommandRunner(logger: daemon.logger)
        let driver = VolumerFileDriver(configuration: configuration, runner: runner, logger: daemon.logger)
        // Other volumers copy volumes moved off this host from here (volumer.export_listen).
        let exportServer = VolumeExportServer(configuration: configuration, runner: runner, logger: daemon.logger)
        try await daemon.runAgent(driver, services: exportServer.map { [$0] } ?? [])
    }
}
