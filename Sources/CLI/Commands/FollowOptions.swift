import ArgumentParser

/// `--no-wait` and `--timeout`, for the commands that store a version and then follow it.
struct FollowOptions: ParsableArguments, Sendable {
    @Flag(name: .customLong("no-wait"), help: "Return once the API stored the version; do not follow it.")
    var noWait = false

    @Option(help: ArgumentHelp("Give up following after this many seconds (exit code 3).", valueName: "seconds"))
    var timeout: Int = 600

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
    }
}

extension CommandContext {
    /// What `apply` and `delete` do with the version the API stored (`what` says which, e.g.
    /// " (delete)"): report it, and unless `--no-wait`, follow it until it settles.
    func storedThenFollowed(_ response: APIClient.Response, what: String = "", options: FollowOptions) async throws -> ExitStatus {
        let stored = try response.decode(StoredVersion.self)
        let said = "spec \(stored.id) version \(stored.version)\(what) stored"
        if options.noWait {
            if output == .table { print(said) } else { try printStructured(try response.json()) }
            return .success
        }
        if output == .table { print(said + "; following it until it settles") }
        return try await follow(specID: stored.id, version: stored.version, options: options)
    }

    /// Follows a stored version until it settles (progress on stdout for `table`, on stderr
    /// otherwise so stdout stays parseable), then says how it ended: success only when applied.
    func follow(specID: Int64, version: Int, options: FollowOptions) async throws -> ExitStatus {
        let renderer = output == .table
            ? progressRenderer()
            : ProgressRenderer(mode: .plain, write: environment.standardError)
        let outcome = try await SpecWatcher(client: client, renderer: renderer)
            .wait(specID: specID, version: version, timeout: .seconds(options.timeout))
        if output == .table {
            print("spec \(specID) version \(version): \(outcome.state)")
        } else {
            try printStructured(try await client.send(.GET, "/api/spec/\(specID)").json())
        }
        guard outcome.state == .applied else {
            printError("spec \(specID) version \(version) \(outcome.state)" + (outcome.reason.map { ": \($0)" } ?? ""))
            return .failed
        }
        return .success
    }
}
