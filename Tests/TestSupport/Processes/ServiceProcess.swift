import Foundation

/// One of the project's own executables (`n0core-porter-vlan` …) started as a separate process
/// for a test, optionally inside a network namespace, as a launcher on a real host would. Its
/// output goes to a log file the test can read and print when something fails.
public final class ServiceProcess: @unchecked Sendable {
    public let executable: String
    public let logPath: String
    private let process: Process

    /// The folder of the built executables: `N0CORE_BUILD_DIR`, else the folder of the test
    /// bundle (`swift build --build-tests` builds both there).
    public static var buildDirectory: String {
        if let directory = ProcessInfo.processInfo.environment["N0CORE_BUILD_DIR"], !directory.isEmpty {
            return directory
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    }

    /// Starts `executable` (a product of this package) with `environment` added to this
    /// process's own, inside `namespace` when given, logging to `logPath`. With `umask`, the
    /// process runs under that file-creation mask (the quickstart starts its services under
    /// 077), not this test process's.
    public init(_ executable: String, arguments: [String] = [], environment: [String: String],
                namespace: NetworkNamespace? = nil, umask: mode_t? = nil, logPath: String) throws {
        let path = "\(Self.buildDirectory)/\(executable)"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw LaunchError(description: "\(path) is not built; run `swift build --build-tests` first")
        }
        self.executable = executable
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process = Process()
        var command = [path] + arguments
        if let umask {
            command = ["/bin/sh", "-c", "umask \(String(umask, radix: 8)) && exec \"$@\"", "sh"] + command
        }
        if let namespace {
            command = ["ip", "netns", "exec", namespace.name] + command
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    public var isRunning: Bool { process.isRunning }
    public var processIdentifier: Int32 { process.processIdentifier }

    /// SIGTERM, then SIGKILL if it has not exited within `grace` (a graceful shutdown that
    /// hangs is a bug the log shows); returns its exit status.
    @discardableResult
    public func stop(grace: Duration = .seconds(10)) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        process.stop(grace: .zero)
        return process.terminationStatus
    }

    /// SIGKILL at once: a crash, for restart-safety tests.
    public func crash() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { usleep(10_000) }
    }

    /// What the process has written so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Waits until the log contains `text` (a readiness line) or `timeout` passes.
    public func waitForLog(_ text: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if log.contains(text) { return }
            guard process.isRunning else {
                throw LaunchError(description: "\(executable) exited with status \(process.terminationStatus):\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LaunchError(description: "\(executable) did not log \"\(text)\" within \(timeout):\n\(log)")
    }

    struct LaunchError: Error, CustomStringConvertible {
        let description: String
    }
}
