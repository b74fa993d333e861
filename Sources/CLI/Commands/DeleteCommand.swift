import ArgumentParser

/// `n0core delete ID`: stores the version that drives every object to `deleted`, then follows
/// it until the agents removed what they made.
struct DeleteCommand: CLICommand {
    static let configuration = CommandConfiguration(commandName: "delete",
                                                    abstract: "Delete a spec's objects, then follow until it settles.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The spec's id.")
    var id: Int64

    @OptionGroup var follow: FollowOptions

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        let response = try await context.client.send(.DELETE, "/api/spec/\(id)")
        return try await context.storedThenFollowed(response, what: " (delete)", options: follow)
    }
}
