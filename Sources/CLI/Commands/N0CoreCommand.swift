import ArgumentParser

/// A subcommand: runs against a ``CommandEnvironment`` and says how it ended.
protocol CLICommand: ParsableCommand {
    func execute(in environment: CommandEnvironment) async throws -> ExitStatus
}

/// `n0core`: the command-line client of the n0core API (docs/cli.md).
public struct N0CoreCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "n0core",
        abstract: "The n0core API from the command line: apply specs and follow them, list, inspect.",
        discussion: """
            Configuration: --api-url/--token, else N0CORE_API_URL/N0CORE_API_TOKEN, else the file \
            (--config, default $XDG_CONFIG_HOME/n0core/cli.yaml or ~/.config/n0core/cli.yaml). \
            Exit codes: 0 done (applied), 1 the spec failed, 2 a usage or API error, 3 timed out.
            """,
        subcommands: [
            ApplyCommand.self, PlanCommand.self, GetCommand.self, ListCommand.self, DeleteCommand.self,
            EventsCommand.self, AgentsCommand.self, HostsCommand.self, DrainCommand.self, GraphCommand.self, ConsoleCommand.self,
        ]
    )

    /// Parsed here too so they may come before the command's name (`n0core -o json list`):
    /// ArgumentParser hands a group of the root to every subcommand that declares the same type.
    @OptionGroup var global: GlobalOptions

    public init() {}

    /// Parses `arguments` (without the program name), runs the command and returns its exit
    /// code; every error is printed to standard error here, never thrown.
    public static func run(_ arguments: [String], in environment: CommandEnvironment) async -> Int32 {
        var parsed: any ParsableCommand
        do {
            parsed = try parseAsRoot(arguments)
        } catch {
            return report(error, in: environment)
        }
        if parsed is N0CoreCommand {
            // No subcommand: a usage error, with the list of commands.
            environment.standardError(helpMessage() + "\n")
            return ExitStatus.usage.rawValue
        }
        guard let command = parsed as? any CLICommand else {
            // ArgumentParser's own `help` (also what `--help` parses to): it ends by throwing
            // the help text as a clean exit.
            do {
                try parsed.run()
                return ExitStatus.success.rawValue
            } catch {
                return report(error, in: environment)
            }
        }
        do {
            return try await command.execute(in: environment).rawValue
        } catch let failure as CLIFailure {
            environment.standardError("error: \(failure.message)\n")
            return failure.status.rawValue
        } catch {
            environment.standardError("error: \(error)\n")
            return ExitStatus.usage.rawValue
        }
    }

    /// A parse error or a clean exit (help, version): help on stdout with 0, anything else on
    /// stderr as a usage error.
    private static func report(_ error: any Error, in environment: CommandEnvironment) -> Int32 {
        let message = fullMessage(for: error)
        if exitCode(for: error) == .success {
            environment.standardOutput(message + "\n")
            return ExitStatus.success.rawValue
        }
        environment.standardError(message + "\n")
        return ExitStatus.usage.rawValue
    }
}
