import Foundation
import Logging
import TestSupport
import Testing

@testable import Broker

/// `amqps://` against a RabbitMQ node the suite starts for itself (TestSupport's
/// ``ScratchRabbitMQ``: TLS listener only, client certificates required), with certificates the
/// suite makes. Skipped loudly without root, `openssl` or `rabbitmq-server`; failing under
/// `CI=true`.
@Suite("Broker over TLS (a RabbitMQ node of its own)", .enabled(if: ScratchServers.canStartRabbitMQ), .scratchRabbitMQ)
struct BrokerTLSTests {
    /// By DNS name (rabbitmq-c's own name check) and by IP address (OpenSSL's address check).
    @Test(arguments: [TestCertificates.serverDNSName, TestCertificates.serverAddress])
    func publishesAndConsumesOverTLS(host: String) async throws {
        let node = try ScratchRabbitMQScope.node()
        let queue = IntegrationEnvironment.uniqueQueueName("tls")
        let environment = BrokerTestEnvironment(url: node.url(host: host), logger: Self.logger)
        let publisher = Publisher(configuration: Self.configuration(node.url(host: host), node.tls(), "n0core-tls-publisher"),
                                  topology: Topology().declaringQueue(queue), logger: Self.logger)
        let consumer = Consumer(configuration: Self.configuration(node.url(host: host), node.tls(), "n0core-tls-consumer"),
                                queue: queue, deadLetterPublisher: publisher, logger: Self.logger)
        let sent = (0..<20).map { index in
            OutgoingMessage(routingKey: queue, type: "Request", body: Array("{\"n\":\(index)}".utf8))
        }
        let received = try await environment.withServices([publisher, consumer]) {
            async let deliveries = withDeadline(.seconds(30), "consuming over TLS") {
                try await consumer.acknowledged(sent.count)
            }
            for message in sent {
                try await publisher.publish(message, timeout: .seconds(10))
            }
            return try await deliveries
        }
        #expect(received.map(\.properties.messageID) == sent.map(\.messageID))
        #expect(received.map(\.body) == sent.map(\.body))
        #expect(received.allSatisfy { $0.properties.appID == "n0core-tls-publisher" })
    }

    /// What a service shows (its `/readyz` and log) when the broker's certificate is signed by a
    /// CA it does not trust: disconnected, with the reason, retrying; never connected.
    @Test func refusesABrokerSignedByAnotherCA() async throws {
        let node = try ScratchRabbitMQScope.node()
        let publisher = Publisher(
            configuration: Self.configuration(node.url(), node.tls(caFile: node.certificates.otherCAFile), "n0core-tls-wrong-ca"),
            logger: Self.logger)
        let reason = try await BrokerTestEnvironment(url: node.url(), logger: Self.logger).withServices([publisher]) {
            try await withDeadline(.seconds(30), "the publisher's first failure") {
                for await state in publisher.connectionStateUpdates() {
                    #expect(state != .connected)
                    if case .disconnected(let reason) = state { return reason }
                }
                return "no failure reported"
            }
        }
        #expect(reason.contains("cannot connect to localhost:\(node.port)"), "\(reason)")
        #expect(reason.contains("SSL peer cert verification failed"), "\(reason)")
        #expect(reason.contains("not signed by a CA in \(node.certificates.otherCAFile)"), "\(reason)")
    }

    /// 127.0.0.2 reaches the same node, whose certificate names only `localhost` and 127.0.0.1.
    @Test func refusesABrokerWhoseCertificateDoesNotNameTheAddress() async throws {
        let node = try ScratchRabbitMQScope.node()
        let address = TestCertificates.unnamedAddress
        let error = await #expect(throws: BrokerError.self) {
            try await AMQPConnection.withTemporaryConnection(
                Self.configuration(node.url(host: address), node.tls(), "n0core-tls-wrong-address")) { _ in }
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("SSL peer cert verification failed"), "\(text)")
        #expect(text.contains("does not list the IP address \(address)"), "\(text)")
    }

    /// The node asks for a client certificate: without one, no connection (and a clear error,
    /// not a hang).
    @Test func brokerRefusesAClientWithoutCertificate() async throws {
        let node = try ScratchRabbitMQScope.node()
        let error = await #expect(throws: BrokerError.self) {
            try await withDeadline(.seconds(20), "a refused connection") {
                try await AMQPConnection.withTemporaryConnection(
                    Self.configuration(node.url(), node.tls(withClientCertificate: false), "n0core-tls-no-client-cert")) { _ in }
            }
        }
        #expect(error.map { "\($0)" }?.contains("did it want a client certificate") == true, "\(String(describing: error))")
    }

    /// rabbitmq-c sets OpenSSL up once per process: connections opened at the same moment on
    /// threads of their own all get through, and declare and delete a queue each.
    @Test func opensManyTLSConnectionsAtOnce() async throws {
        let node = try ScratchRabbitMQScope.node()
        let configuration = Self.configuration(node.url(), node.tls(), "n0core-tls-parallel")
        let opened = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await AMQPConnection.withTemporaryConnection(configuration) { connection in
                        let queue = IntegrationEnvironment.uniqueQueueName("tls-parallel")
                        try connection.declareQueue(queue, arguments: [])
                        try connection.deleteQueue(queue)
                        return true
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(opened == 8)
    }

    static let logger: Logger = {
        var logger = Logger(label: "n0core.broker.tls-tests")
        logger.logLevel = .info
        return logger
    }()

    static func configuration(_ url: AMQPURL, _ tls: BrokerTLS, _ appID: String) -> BrokerConfiguration {
        BrokerConfiguration(url: url, tls: tls, appID: appID, heartbeat: .seconds(5),
                            reconnectBackoff: ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(1)))
    }
}

/// Starts the suite's RabbitMQ node once, for all of its tests, and stops it after them.
struct ScratchRabbitMQScope: SuiteTrait, TestScoping {
    @TaskLocal static var current: ScratchRabbitMQ?

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        let node = try await ScratchRabbitMQ.start()
        do {
            try await Self.$current.withValue(node) { try await function() }
        } catch {
            await node.stop()
            throw error
        }
        await node.stop()
    }

    static func node() throws -> ScratchRabbitMQ {
        guard let current else { throw ScratchServerError(description: "the suite's RabbitMQ node is not running") }
        return current
    }
}

extension Trait where Self == ScratchRabbitMQScope {
    static var scratchRabbitMQ: Self { Self() }
}
