import Foundation

@testable import Broker

/// The settings `deploy/broker-cluster-test.sh` hands the cluster failover test, from the
/// environment; nil (the test is skipped) unless `N0CORE_BROKER_CLUSTER_URLS` is set.
///
/// The test and the script coordinate through files in ``directory``: the test creates
/// ``runningMark`` once the load is under way, the script then stops the node the test's
/// connections are on and creates ``stoppedMark``, and the test writes ``resultFile``.
struct BrokerClusterRun: Sendable {
    let urls: [AMQPURL]
    let directory: URL
    /// How many numbered messages to send.
    let messages: Int

    var runningMark: URL { directory.appending(path: "running") }
    var stoppedMark: URL { directory.appending(path: "stopped") }
    var resultFile: URL { directory.appending(path: "result") }

    static let current: BrokerClusterRun? = {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["N0CORE_BROKER_CLUSTER_URLS"], let urls = try? AMQPURL.list(parsing: text),
              let directory = environment["N0CORE_BROKER_CLUSTER_DIR"]
        else { return nil }
        let messages = environment["N0CORE_BROKER_CLUSTER_MESSAGES"].flatMap { Int($0) } ?? 20_000
        return BrokerClusterRun(urls: urls, directory: URL(filePath: directory), messages: messages)
    }()

    /// Waits (polling) until `mark` exists.
    func waitFor(_ mark: URL, upTo limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while !FileManager.default.fileExists(atPath: mark.path()) {
            guard ContinuousClock.now < deadline else { throw TestTimeout(what: "waiting for \(mark.lastPathComponent)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
