import Foundation
import HummingbirdTesting
import Testing
import TestSupport

@testable import API

/// Bad documents get a 4xx naming the field and the problem, and change nothing: no row in any
/// table, no message on the broker.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct InvalidDocumentTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var body: String
        var status: Int
        /// The path of a reported problem (exactly), and a fragment of its message.
        var path: String
        var message: String
        var description: String { name }
    }

    static func seed(_ replacing: String, with: String) -> String {
        let text = SeedDocuments.submittedSpec.replacingOccurrences(of: replacing, with: with)
        precondition(text != SeedDocuments.submittedSpec, "fixture edit did not apply: \(replacing)")
        return text
    }

    static let cases: [Case] = [
        Case(name: "not YAML", body: "spec: [unclosed", status: 400, path: "", message: "not valid YAML"),
        Case(name: "empty body", body: "", status: 400, path: "", message: "empty"),
        Case(name: "unknown type", body: seed("type: resource/vm/kvm", with: "type: resource/vm/xen"), status: 400,
             path: "spec.web.type", message: "resource/vm/xen"),
        Case(name: "unknown field", body: seed("    arch: amd64", with: "    arch: amd64\n    colour: blue"), status: 400,
             path: "spec.web.colour", message: "colour"),
        Case(name: "field of another type", body: seed("    vlan_id: 100", with: "    vlan_id: 100\n  extra:\n    type: resource/volume/file\n    size: 1gb\n    vcpus: 2"),
             status: 400, path: "spec.extra.vcpus", message: "vcpus"),
        Case(name: "size with an unknown unit", body: seed("size: 10gb", with: "size: 4zb"), status: 400,
             path: "spec.web.dependencies[1].object.size", message: "unknown unit 'zb'"),
        Case(name: "status not allowed for the type", body: seed("    vcpus: 2", with: "    vcpus: 2\n    status: flying"), status: 400,
             path: "spec.web.status", message: "flying"),
        Case(name: "vcpus zero", body: seed("vcpus: 2", with: "vcpus: 0"), status: 422, path: "spec.web.vcpus", message: "out of bounds"),
        Case(name: "memory too large", body: seed("memory: 4gb", with: "memory: 100tb"), status: 422, path: "spec.web.memory", message: "out of bounds"),
        Case(name: "volume without size", body: seed("          size: 10gb\n", with: ""), status: 422,
             path: "spec.web.dependencies[1].object.size", message: "required"),
        Case(name: "bad CIDR", body: seed("cidr: 192.168.0.0/24", with: "cidr: 192.168.0.0/33"), status: 422,
             path: "spec.var_network.subnets[0].cidr", message: "not an IPv4 CIDR"),
        Case(name: "DHCP range outside the subnet", body: seed("range: 192.168.0.1-192.168.0.127", with: "range: 192.168.0.1-192.168.1.127"),
             status: 422, path: "spec.var_network.subnets[0].dhcp.range", message: "not inside"),
        Case(name: "gateway outside the subnet", body: seed("gateway: 192.168.0.254", with: "gateway: 10.0.0.1"), status: 422,
             path: "spec.var_network.subnets[0].dhcp.gateway", message: "not a host address inside"),
        Case(name: "nameserver outside the subnet", body: seed("- 192.168.0.254", with: "- 10.0.0.53"), status: 422,
             path: "spec.var_network.subnets[0].dhcp.nameservers[0]", message: "not a host address inside"),
        Case(name: "fixed IP outside the subnet", body: seed("- 192.168.0.1\n", with: "- 172.16.0.1\n"), status: 422,
             path: "spec.web.dependencies[0].object.ip_addresses[0]", message: "not inside"),
        Case(name: "unknown variable", body: seed("variable: var_network", with: "variable: var_netwrok"), status: 422,
             path: "spec.web.dependencies[0].object.dependencies[0].object.variable", message: "unknown variable 'var_netwrok'"),
        Case(name: "id that does not exist", body: seed("variable: var_network", with: "id: 8451da31-5e3a-4c46-aa3a-2a557382a6cd"), status: 422,
             path: "spec.web.dependencies[0].object.dependencies[0].object.id", message: "does not exist"),
        Case(name: "reference cycle", body: """
            spec:
              a:
                type: resource/nic
                dependencies: [{object: {variable: b}, property: {r: n0stack/n0core/port/network}}]
              b:
                type: resource/nic
                dependencies: [{object: {variable: a}, property: {r: n0stack/n0core/port/network}}]
            """, status: 422, path: "spec.b.dependencies[0]", message: "reference cycle"),
        Case(name: "duplicate fixed IP on a network", body: seed("    vlan_id: 100", with: """
                vlan_id: 100
              second_nic:
                type: resource/nic
                ip_addresses: [192.168.0.1]
                dependencies: [{object: {variable: var_network}, property: {r: n0stack/n0core/port/network}}]
            """), status: 422, path: "spec.second_nic.ip_addresses[0]", message: "already given"),
        Case(name: "a new spec at version 3", body: seed("version: 0", with: "version: 3"), status: 422, path: "version", message: "must be 0"),
        Case(name: "host_id that is not a UUID", body: seed("host_id: 85cf3a3a-18e4-4fe2-b406-9e79079cae07", with: "host_id: rack-1"), status: 422,
             path: "annotations.n0stack/scheduling/host_id", message: "UUID"),
        Case(name: "different_host with same_host", body: seed("  n0stack/scheduling/same_host: true",
                                                                with: "  n0stack/scheduling/same_host: true\n  n0stack/scheduling/different_host: true"),
             status: 422, path: "annotations.n0stack/scheduling/different_host", message: "n0stack/scheduling/same_host is true"),
        Case(name: "VNC password longer than VNC allows", body: seed("vnc_password: hogehoge", with: "vnc_password: hogehogehoge"), status: 422,
             path: "spec.web.vnc_password", message: "8"),
        Case(name: "an agent in a spec", body: "spec:\n  a:\n    type: agent/compute/kvm\n", status: 422, path: "spec.a.type", message: "agents join by themselves"),
    ]

    /// One API for every case (an API per case would open hundreds of connections at once);
    /// the tables stay empty throughout, so each case's "nothing changed" is its own.
    @Test func rejectedWithThePathAndNothingChanges() async throws {
        #expect(Self.cases.count >= 15)
        try await APIHarness.run { api in
            for invalid in Self.cases {
                let response = try await api.send(.post, "/api/spec", body: invalid.body, accept: "application/json")
                #expect(response.status.code == invalid.status, "\(invalid): \(String(buffer: response.body))")
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let problems = (answer["problems"] as? [[String: String]]) ?? []
                #expect(problems.contains { $0["path"] == invalid.path && $0["message"]?.contains(invalid.message) == true },
                        "\(invalid): problems \(problems)")
                for table in ["specs", "spec_versions", "nodes", "edges", "events", "outbox"] {
                    let rows = try await IntegrationEnvironment.count(table, in: api.store)
                    #expect(rows == 0, "\(invalid): \(table) changed")
                }
            }
            // Give the relay time to publish, had anything been stored.
            try await Task.sleep(for: .seconds(1))
            #expect(api.published.all.isEmpty)
        }
    }

    @Test func tooLargeIs413() async throws {
        try await APIHarness.run(maxBodyBytes: 1024) { api in
            let response = try await api.send(.post, "/api/spec", body: String(repeating: "# padding\n", count: 200) + SeedDocuments.submittedSpec)
            #expect(response.status == .contentTooLarge)
            #expect(try await IntegrationEnvironment.count("specs", in: api.store) == 0)
        }
    }

    @Test func tooManyObjectsAndTooDeepAre422() async throws {
        try await APIHarness.run(limits: SpecLimits(maxObjects: 3, maxDepth: 2)) { api in
            let many = try await api.send(.post, "/api/spec", body: SeedDocuments.submittedSpec, accept: "application/json")
            #expect(many.status == .unprocessableContent)
            let text = String(buffer: many.body)
            #expect(text.contains("at most 3"))
            #expect(text.contains("nests deeper than 2"))
            #expect(try await IntegrationEnvironment.count("specs", in: api.store) == 0)
        }
    }
}
