import Broker
import Clients
import Foundation
import MessageHandling
import Messages
import ServiceSupport
import Testing

@testable import Conductor

/// `conductor.agent_user`: which broker user may speak for the agents of a host.
@Suite("Agent senders")
struct AgentSendersTests {
    let host = ObjectID("85cf3a3a-18e4-4fe2-b406-9e79079cae07")!
    let other = ObjectID("0b6b5f7e-8a41-4f6e-9f2a-3c1d2e4f5a6b")!
    let senders = AgentSenders(template: "n0core-hypervisor-{host_id}")!

    @Test func theTemplateNamesEachHostsUser() {
        #expect(senders.user(ofHost: host) == "n0core-hypervisor-85cf3a3a-18e4-4fe2-b406-9e79079cae07")
        #expect(AgentSenders(template: "n0core-hypervisors") == nil, "one user for every host tells none apart")
    }

    @Test func onlyTheHostsOwnUserMaySpeakForItsAgents() throws {
        try senders.check(userID: "n0core-hypervisor-\(host)", host: host, what: "a heartbeat")
        let forged = #expect(throws: MessageRejection.self) {
            try senders.check(userID: "n0core-hypervisor-\(other)", host: host, what: "the heartbeat of agent x")
        }
        #expect(forged?.reason == "forged sender: the heartbeat of agent x was published by broker user "
            + "'n0core-hypervisor-\(other)', but agents of host \(host) publish as 'n0core-hypervisor-\(host)'")
        for missing in [nil, ""] {
            let anonymous = #expect(throws: MessageRejection.self) {
                try senders.check(userID: missing, host: host, what: "a heartbeat")
            }
            #expect(anonymous?.reason.contains("has no user_id") == true)
        }
    }

    /// What an agent publishes (Clients) under its hypervisor's user (Broker) passes the check;
    /// under another hypervisor's, it does not.
    @Test func anAgentsHeartbeatCarriesItsHypervisorsUser() throws {
        let heartbeat = HeartbeatMessage(
            agent: Object(type: .agentComputeKVM, id: ObjectID(), desiredState: "alived", hostID: host),
            intervalSeconds: 10, sentAt: Date())
        let message = ConductorClient.heartbeat(heartbeat)
        let own = message.publishedProperties(appID: "n0core-compute-kvm", userID: senders.user(ofHost: host))
        #expect(own.userID == "n0core-hypervisor-\(host)")
        try senders.check(userID: own.userID, host: host, what: "a heartbeat")
        let elsewhere = message.publishedProperties(appID: "n0core-compute-kvm", userID: senders.user(ofHost: other))
        #expect(throws: MessageRejection.self) { try senders.check(userID: elsewhere.userID, host: host, what: "a heartbeat") }
    }

    @Test func isReadFromTheConfigurationAndOffByDefault() async throws {
        func load(_ environment: [String: String]) async throws -> ConductorConfiguration {
            try ConductorConfiguration(try await ServiceConfiguration.load(file: nil, environment: environment))
        }
        #expect(try await load([:]).agentSenders == nil)
        #expect(try await load(["N0CORE_CONDUCTOR_AGENT_USER": "n0core-hypervisor-{host_id}"]).agentSenders == senders)
        await #expect(throws: ConfigurationError.invalid(
            key: "conductor.agent_user", value: "n0core-agents",
            expected: "a broker user name containing {host_id}, e.g. n0core-hypervisor-{host_id}")) {
            try await load(["N0CORE_CONDUCTOR_AGENT_USER": "n0core-agents"])
        }
    }
}
