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
        let stored = try response.decode(StoredVersion.self)
        if follow.noWait {
            if context.output == .table {
                context.print("spec \(stored.id) version \(stored.version) (delete) stored")
            } else {
                try context.printStructured(try response.json())
            }
            return .success
        }
        if context.output == .table {
            context.print("spec \(stored.id) version \(stored.version) (delete) stored; following it until it settles")
        }
        return try await context.follow(specID: stored.id, version: stored.version, options: follow)
    }
}
