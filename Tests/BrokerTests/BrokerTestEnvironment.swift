import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import Broker

/// Where the integration tests find their broker: `N0CORE_AMQP_URL`.
///
/// Without it the tests are skipped with a loud message on a developer machine, and fail under
/// `CI=true`, where a missing broker is a broken pipeline, not a reason to pass.
struct BrokerTestEnvironment: Sendable {
    static let urlVariable = "N0CORE_AMQP_URL"

    let url: AMQPURL
    let logger: Logger

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// For `.enabled(if:)`: run when a broker is configured, and under CI (to fail loudly).
    static let shouldRun: Bool = {
        if ProcessInfo.processInfo.environment[urlVariable] != nil || isCI { return true }
        print("""

            ************************************************************************************
            * SKIPPING the broker integration tests: \(urlVariable) is not set.
            * Set it to run them, e.g. \(urlVariable)=amqp://n0core:n0core@127.0.0.1:5672/n0core
            ************************************************************************************

            """)
        return false
    }()

    /// The environment, or nil after recording why (an issue under CI).
    static func require() -> BrokerTestEnvironment? {
        guard let text = ProcessInfo.processInfo.environment[urlVariable] else {
            Issue.record("\(urlVariable) not set: the broker integration tests need a RabbitMQ (CI=true)")
            return nil
        }
        do {
            var logger = Logger(label: "n0core.broker.tests")
            logger.logLevel = .info
            return BrokerTestEnvironment(url: try AMQPURL(parsing: text), logger: logger)
        } catch {
            Issue.record("\(urlVariable) is not a valid AMQP URL: \(error)")
            return nil
        }
    }

    /// A configuration for one test client; a short backoff keeps reconnect tests quick.
    func configuration(_ appID: String = "n0core-test", prefetch: UInt16 = 32) -> BrokerConfiguration {
        BrokerConfiguration(
            url: url, appID: appID, heartbeat: .seconds(5), prefetch: prefetch,
            reconnectBackoff: ReconnectBackoff(initial: .milliseconds(50), maximum: .seconds(1)))
    }

    /// A queue name no other test (or run) uses.
    static func uniqueQueueName() -> String {
        "test.\(UUID().uuidString.lowercased())"
    }

    func deleteQueues(_ names: [String]) async {
        do {
            try await AMQPConnection.withTemporaryConnection(configuration("n0core-test-cleanup")) { connection in
                for name in names { try connection.deleteQueue(name) }
            }
        } catch {
            Issue.record("cannot delete test queues \(names): \(error)")
        }
    }

    /// Runs `services` in a `ServiceGroup` around `body`, then shuts them down gracefully.
    func withServices<Result: Sendable>(
        _ services: [any Service],
        _ body: () async throws -> Result
    ) async throws -> Result {
        let group = ServiceGroup(services: services, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let result = try await body()
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// Runs `rabbitmqctl` (on PATH where the broker runs) and returns its exit status and output.
    func rabbitmqctl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["rabbitmqctl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return await withCheckedContinuation { continuation in
            Thread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, String(decoding: data, as: UTF8.self)))
            }.start()
        }
    }

    /// Makes the broker close (CONNECTION_FORCED) every connection whose name starts with
    /// `prefix`, as an operator would, leaving other clients of the broker alone.
    /// - Returns: how many connections were closed.
    func closeConnections(namedWithPrefix prefix: String) async throws -> Int {
        let listing = try await rabbitmqctl(
            ["list_connections", "-p", url.vhost, "pid", "client_properties", "--no-table-headers", "-q"])
        guard listing.status == 0 else { throw TestTimeout(what: "rabbitmqctl list_connections failed") }
        let pids = listing.output.split(separator: "\n").compactMap { line -> String? in
            guard line.contains("{\"connection_name\",\"\(prefix)") else { return nil }
            return line.split(separator: "\t").first.map(String.init)
        }
        for pid in pids {
            let result = try await rabbitmqctl(["close_connection", pid, "test"])
            guard result.status == 0 else { throw TestTimeout(what: "rabbitmqctl close_connection failed") }
        }
        return pids.count
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body`, failing with ``TestTimeout`` if it takes longer than `limit`.
func withDeadline<Result: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else { throw TestTimeout(what: what) }
        return result
    }
}

/// Collects values from concurrent tasks.
actor Collector<Value: Hashable & Sendable> {
    private(set) var values: [Value] = []

    func add(_ value: Value) { values.append(value) }

    var unique: Set<Value> { Set(values) }
}
