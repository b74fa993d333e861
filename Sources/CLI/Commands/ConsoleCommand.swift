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

/// Turns bytes that arrive in arbitrary chunks into text without cutting a UTF-8 character in
/// two: an incomplete sequence at a chunk's end waits for the next chunk.
struct UTF8Chunks {
    private var pending: [UInt8] = []

    mutating func append(_ bytes: some Sequence<UInt8>) -> String {
        pending += bytes
        let end = Self.completeEnd(pending)
        let text = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeFirst(end)
        return text
    }

    /// What is left at the end of the stream (invalid bytes become U+FFFD).
    mutating func finish() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The index after the last complete sequence: a trailing lead byte whose continuation
    /// bytes have not all arrived is held back.
    static func completeEnd(_ bytes: [UInt8]) -> Int {
        var index = bytes.count
        var continuation = 0
        while index > 0, continuation < 3 {
            let byte = bytes[index - 1]
            if byte & 0b1100_0000 == 0b1000_0000 {
                continuation += 1
                index -= 1
                continue
            }
            let length = byte >= 0b1111_0000 ? 4 : byte >= 0b1110_0000 ? 3 : byte >= 0b1100_0000 ? 2 : 1
            return length > continuation + 1 ? index - 1 : bytes.count
        }
        return bytes.count
    }
}
