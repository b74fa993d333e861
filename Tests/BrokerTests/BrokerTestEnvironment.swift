import Foundation
import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import Broker
import ServiceSupport

/// The broker of the integration tests (TestSupport's ``IntegrationEnvironment``: skipped loudly
/// without `N0CORE_AMQP_URL`, failing under `CI=true`), with a logger and helpers of their own.
struct BrokerTestEnvironment: Sendable {
    let url: AMQPURL
    let logger: Logger

    /// The environment; throws (failing the test) when no broker is configured.
    static func require() throws -> BrokerTestEnvironment {
        var logger = Logger(label: "n0core.broker.tests")
        logger.logLevel = .info
        return BrokerTestEnvironment(url: try IntegrationEnvironment.requireBroker(), logger: logger)
    }

    /// A configuration for one test client; a short backoff keeps reconnect tests quick.
    func configuration(_ appID: String = "n0core-test", prefetch: UInt16 = 32) -> BrokerConfiguration {
        IntegrationEnvironment.brokerConfiguration(url: url, appID: appID, prefetch: prefetch)
    }

    /// A queue name no other test (or run) uses.
    static func uniqueQueueName() -> String {
        IntegrationEnvironment.uniqueQueueName("test")
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

/// Runs `body`, failing with ``TestTimeout`` (naming `what`) if it takes longer than `limit`.
func withDeadline<Result: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    do {
        return try await ServiceSupport.withDeadline(limit, body)
    } catch is DeadlineExceeded {
        throw TestTimeout(what: what)
    }
}

/// Collects values from concurrent tasks.
actor Collector<Value: Hashable & Sendable> {
    private(set) var values: [Value] = []

    func add(_ value: Value) { values.append(value) }

    var unique: Set<Value> { Set(values) }
}
