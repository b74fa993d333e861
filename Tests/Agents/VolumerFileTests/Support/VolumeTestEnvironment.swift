import AgentRuntime
import Foundation
import Logging
import TestSupport
import Testing

@testable import VolumerFile

/// `qemu-img` and a temporary data directory for volume tests.
enum VolumeTestEnvironment {
    static let hasQemuImg: Bool = {
        let found = ["/usr/bin/qemu-img", "/usr/local/bin/qemu-img"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        if !found && !IntegrationEnvironment.isCI {
            print("\n* SKIPPING volume tests: qemu-img is not installed (apt-get install qemu-utils)\n")
        }
        return found || IntegrationEnvironment.isCI
    }()

    static let logger: Logger = {
        var logger = Logger(label: "n0core.volumer.tests")
        logger.logLevel = ProcessInfo.processInfo.environment["N0CORE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }()

    /// Runs `body` with a fresh data directory, removed afterwards, with its images directory
    /// (``imagesDirectory(of:)``) beside it.
    static func withDataDirectory<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let directory = NSTemporaryDirectory() + "n0core-volumes-test-\(UUID().uuidString.lowercased())"
        try FileManager.default.createDirectory(atPath: imagesDirectory(of: directory), withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: imagesDirectory(of: directory))
        }
        return try await body(directory)
    }

    /// The images directory of a test's data directory: beside it, since the two must not overlap.
    static func imagesDirectory(of directory: String) -> String {
        directory + "-images"
    }

    static func driver(_ directory: String, runner: any CommandRunner = ProcessCommandRunner(logger: logger)) -> VolumerFileDriver {
        VolumerFileDriver(configuration: VolumerFileConfiguration(dataDirectory: directory, imagesDirectory: imagesDirectory(of: directory)),
                          runner: runner, logger: logger)
    }

    /// A new image made with qemu-img (`arguments` after `create -q`), for sources.
    static func makeImage(_ arguments: [String]) async throws {
        try await ProcessCommandRunner(logger: logger).check(Command("qemu-img", ["create", "-q"] + arguments))
    }

    /// What `qemu-img info` says, read independently of the driver.
    static func info(_ path: String) async throws -> [String: Any] {
        let result = try await ProcessCommandRunner(logger: logger).check(
            Command("qemu-img", ["info", "--output=json", "--force-share", path]))
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    static func virtualSize(_ path: String) async throws -> UInt64? {
        (try await info(path)["virtual-size"] as? NSNumber)?.uint64Value
    }

    /// Every entry of the directory, hidden ones included.
    static func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}
