import AgentRuntime
import Foundation

/// Runs a host command synchronously for test set-up and checks (`ip`, `virsh`, `qemu-img`),
/// capturing its output.
public enum HostCommand {
    /// Runs `arguments` (the first is looked up on PATH) and waits for it; `input`, when given,
    /// is its standard input.
    @discardableResult
    public static func run(_ arguments: [String], input: String? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let inputPipe = input.map { _ in Pipe() }
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        try process.run()
        if let input, let inputPipe {
            // Written on another thread, so a command that answers before it has read everything
            // cannot block this one on a full pipe.
            DispatchQueue.global().async {
                inputPipe.fileHandleForWriting.write(Data(input.utf8))
                try? inputPipe.fileHandleForWriting.close()
            }
        }
        // Read standard error on another thread while this one reads standard output, so a
        // chatty command cannot block on a full pipe.
        let errorBuffer = ErrorBuffer()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            errorBuffer.data = errors.fileHandleForReading.readDataToEndOfFile()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             standardOutput: String(decoding: outputData, as: UTF8.self),
                             standardError: String(decoding: errorBuffer.data, as: UTF8.self))
    }

    /// Runs `arguments`; throws ``CommandFailure`` unless it exits with status 0. Returns its
    /// standard output.
    @discardableResult
    public static func check(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw CommandFailure.failed(command: Command(arguments[0], Array(arguments.dropFirst())),
                                        status: result.status, standardError: result.standardError)
        }
        return result.standardOutput
    }
}

extension HostCommand {
    /// ``check(_:)`` on a thread of its own: an async test waiting for a slow command
    /// (`rabbitmqctl` takes a second or more) must not hold one of the few threads every other
    /// test's tasks run on.
    @discardableResult
    public static func checkOffPool(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try check(arguments) })
            }
            thread.start()
        }
    }
}

/// Standard error, written by the reading thread before the group is left.
private final class ErrorBuffer: @unchecked Sendable {
    var data = Data()
}
