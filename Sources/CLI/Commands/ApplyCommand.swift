import ArgumentParser

/// `n0core apply -f FILE`: creates a spec, or replaces one (`--spec ID`, or the document's `id`),
/// then follows the new version until it settles.
struct ApplyCommand: CLICommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create or replace a spec from a document, then follow it until it settles.",
        discussion: "Exit code 0 only when the version ends applied; 1 when it fails, 3 on --timeout.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The spec document: YAML, or JSON when named *.json.", valueName: "file"))
    var file: String

    @Option(name: .customLong("spec"), help: ArgumentHelp("Replace this spec (PUT) instead of creating one.", valueName: "id"))
    var specID: Int64?

    @OptionGroup var follow: FollowOptions

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        let submission = try SpecSubmission(path: file, specFlag: specID, environment: environment)
        let request = try await submission.prepare(with: context.client)
        let response = try await context.client.send(request.method, request.path, body: request.body)
        return try await context.storedThenFollowed(response, options: follow)
    }
}
