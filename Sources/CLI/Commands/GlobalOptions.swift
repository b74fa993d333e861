import ArgumentParser
import Foundation

/// The options every command takes: where the API is, the token, and the output format.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp("The configuration file (keys api_url, token).", valueName: "path"))
    var config: String?

    @Option(name: .customLong("api-url"), help: ArgumentHelp("The API's URL (overrides N0CORE_API_URL and the file).", valueName: "url"))
    var apiURL: String?

    @Option(name: .long, help: ArgumentHelp("The API token (overrides N0CORE_API_TOKEN and the file).", valueName: "token"))
    var token: String?

    @Option(name: [.short, .long], help: "table (human text), json or yaml.")
    var output: OutputFormat = .table

    public init() {}

    /// The client and output format for a command run in `environment`.
    func context(_ environment: CommandEnvironment) throws -> CommandContext {
        let configuration = try CLIConfiguration.resolve(
            flags: .init(apiURL: apiURL, token: token, configPath: config),
            environment: environment.variables,
            readFile: { path in try environment.readFile(path).map { String(decoding: $0, as: UTF8.self) } })
        return CommandContext(environment: environment, output: output,
                              client: APIClient(configuration: configuration, httpClient: environment.httpClient))
    }
}

/// One command's run: its client, format and streams.
struct CommandContext: Sendable {
    var environment: CommandEnvironment
    var output: OutputFormat
    var client: APIClient

    func print(_ text: String) {
        environment.standardOutput(text.hasSuffix("\n") ? text : text + "\n")
    }

    func printError(_ text: String) {
        environment.standardError(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// The API's answer as `--output json|yaml` asks.
    func printStructured(_ value: JSONValue) throws {
        print(try output.render(value))
    }

    func progressRenderer() -> ProgressRenderer {
        let mode = ProgressRenderer.mode(isTerminal: environment.outputIsTerminal, environment: environment.variables,
                                         width: environment.terminalWidth)
        return ProgressRenderer(mode: mode, write: environment.standardOutput)
    }
}
