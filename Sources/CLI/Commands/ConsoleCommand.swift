import ArgumentParser

/// `n0core console VM_ID`: the VM's serial log (the last lines, or followed as the guest writes
/// it), or with `--vnc` where its VNC console listens.
struct ConsoleCommand: CLICommand {
    static let configuration = CommandConfiguration(commandName: "console",
                                                    abstract: "Print a VM's serial log, follow it, or show its VNC address.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The VM's id.", valueName: "vm-id"))
    var vmID: String

    @Option(help: "How many of the last lines (1 to 10000).")
    var lines: Int = 100

    @Flag(help: "Keep printing what the guest appends (until the API ends the answer, or Ctrl-C).")
    var follow = false

    @Flag(help: "Print the VM's VNC address (host:port on its hypervisor) instead of the log.")
    var vnc = false

    func validate() throws {
        guard (1...10000).contains(lines) else { throw ValidationError("--lines must be from 1 to 10000") }
        if follow, global.output != .table { throw ValidationError("--follow prints the log as text; drop --output") }
        if follow, vnc { throw ValidationError("--vnc and --follow do not go together") }
    }

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        if vnc { return try await printVNCAddress(context) }
        let path = "/api/objects/\(vmID)/console"
        let query = [("lines", String(lines))] + (follow ? [("follow", "true")] : [])
        if context.output != .table {
            try context.printStructured(try await context.client.send(.GET, path, query: query).json())
            return .success
        }
        let response = try await context.client.open(path, query: query, accept: "text/plain")
        var text = UTF8Chunks()
        for try await buffer in response.body {
            let complete = text.append(buffer.readableBytesView)
            if !complete.isEmpty { environment.standardOutput(complete) }
        }
        let rest = text.finish()
        if !rest.isEmpty { environment.standardOutput(rest) }
        return .success
    }

    private func printVNCAddress(_ context: CommandContext) async throws -> ExitStatus {
        let node = try await context.client.send(.GET, "/api/objects/\(vmID)").json()
        if context.output != .table {
            try context.printStructured(.object(["vm_id": .string(vmID), "vnc_address": node["object"]?["vnc_address"] ?? .null]))
            return .success
        }
        guard let address = node["object"]?["vnc_address"]?.stringValue else {
            throw CLIFailure(.usage, "VM \(vmID) has no VNC address: it is not running (or not placed yet)")
        }
        context.print(address)
        return .success
    }
}
