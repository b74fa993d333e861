import Foundation
import Logging
import TestSupport
import Testing

@testable import Broker

/// The reply path of consoles under least privilege, with the Swift client: an API process's
/// exclusive reply queue declared, bound and consumed as `n0core-api` is allowed, a hypervisor's
/// user answering on its key (and on no other key of that prefix), the queue gone with its
/// connection. The permissions are those `deploy/rabbitmq-setup.sh` gives (its self-test checks
/// each one through the management API).
@Suite("Reply queues (RabbitMQ)", .enabled(if: IntegrationEnvironment.hasBroker))
struct ReplyQueueTests {
    static let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    static let reply = #"api\.reply\."# + uuid
    static let shared = #"n0core|n0core\.dead-letter|n0core\.dead"#
    static let agentID = "a0000001-0000-4000-8000-00000000000a"

    func topicPermissions(_ user: ScratchBrokerUser, vhost: ScratchVirtualHost, write: String, read: String) async throws {
        try await HostCommand.checkOffPool(["rabbitmqctl", "-q", "set_topic_permissions", "-p", vhost.name, user.name, "n0core", write, read])
    }

    @Test func anAPIsReplyQueueTakesAHypervisorsAnswerAndGoesWithItsConnection() async throws {
        let environment = try BrokerTestEnvironment.require()
        let vhost = try await ScratchVirtualHost.create(base: environment.url, prefix: "n0t-reply")
        defer { vhost.delete() }
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let api = try await ScratchBrokerUser.create(
            name: "n0t-api-\(suffix)", base: vhost.url, configure: "^(\(Self.shared)|scheduler|\(Self.reply))$",
            write: "^(\(Self.shared)|scheduler|\(Self.reply))$", read: #"^(n0core|n0core\.dead-letter|scheduler|"# + Self.reply + ")$")
        defer { api.delete() }
        try await topicPermissions(api, vhost: vhost, write: "^(scheduler|\(Self.uuid))$", read: "^(scheduler|\(Self.reply))$")
        let hypervisor = try await ScratchBrokerUser.create(
            name: "n0t-hv-\(suffix)", base: vhost.url, configure: "^(\(Self.agentID))$",
            write: #"^(n0core|n0core\.dead-letter|"# + Self.agentID + ")$", read: "^(n0core|\(Self.agentID))$")
        defer { hypervisor.delete() }
        try await topicPermissions(hypervisor, vhost: vhost, write: "^(conductor|\(Self.uuid)|\(Self.reply))$", read: "^(\(Self.agentID))$")

        // A refused publish makes a publisher reconnect until its timeout: expected here, not worth a log.
        var quiet = environment.logger
        quiet.logLevel = .critical
        let key = "api.reply." + UUID().uuidString.lowercased()
        let apiConfiguration = IntegrationEnvironment.brokerConfiguration(url: api.url, appID: "n0core-api")
        let hypervisorConfiguration = IntegrationEnvironment.brokerConfiguration(url: hypervisor.url, appID: "n0core-compute-kvm")
        let apiPublisher = Publisher(configuration: apiConfiguration, logger: quiet)
        let replies = Consumer(configuration: apiConfiguration, replyQueue: key, bindingKey: key,
                               deadLetterPublisher: apiPublisher, logger: quiet)
        let agentPublisher = Publisher(configuration: hypervisorConfiguration, logger: quiet)
        let answer = OutgoingMessage(routingKey: key, type: "ConsoleReply", body: Array("{}".utf8))

        let received = try await environment.withServices([apiPublisher, replies, agentPublisher]) {
            try await withDeadline(.seconds(20), "the reply queue is consumed") {
                while !replies.isConnected { try await Task.sleep(for: .milliseconds(50)) }
            }
            try await agentPublisher.publish(answer, timeout: .seconds(10))
            let properties = try await withDeadline(.seconds(10), "the reply") {
                for try await delivery in replies {
                    try await delivery.ack()
                    return delivery.properties
                }
                throw TestTimeout(what: "the reply consumer ended")
            }
            // Another key of the prefix that is not an API instance's: refused the hypervisor.
            let other = OutgoingMessage(routingKey: "api.reply.everyone", type: "ConsoleReply", body: Array("{}".utf8))
            await #expect(throws: (any Error).self) { try await agentPublisher.publish(other, timeout: .seconds(5)) }
            return properties
        }
        #expect(received.userID == hypervisor.name, "the reply names the hypervisor that sent it")
        #expect(received.messageID == answer.messageID)

        // Its connection closed, the queue is gone: an answer now has nowhere to go.
        let late = Publisher(configuration: hypervisorConfiguration, logger: quiet)
        try await environment.withServices([late]) {
            var outcome = "routed"
            for _ in 0..<50 where outcome == "routed" {
                do {
                    try await late.publish(OutgoingMessage(routingKey: key, type: "ConsoleReply", body: Array("{}".utf8)),
                                           timeout: .seconds(10))
                    try await Task.sleep(for: .milliseconds(100))
                } catch BrokerError.unroutable {
                    outcome = "unroutable"
                }
            }
            #expect(outcome == "unroutable")
        }
    }
}
