import Foundation
import Messages
import ServiceSupport
import HummingbirdTesting
import Testing
import TestSupport

@testable import API

/// What an attacker with an API token sends (issue 15), each answered at once with a clear 4xx
/// that names the limit or the field, with nothing stored and nothing published, and the API
/// still serving afterwards.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct HostileInputTests {
    struct Attack: Sendable, CustomStringConvertible {
        var name: String
        var body: String
        var contentType = "application/yaml"
        var status: Int
        /// Fragments of the answer's `error` message or of a problem's `path: message`.
        var says: [String]
        var description: String { name }
    }

    static let attacks: [Attack] = [
        Attack(name: "alias bomb", body: HostileDocuments.aliasBomb, status: 400,
               says: ["YAML anchors and aliases are not accepted (found &l0)", "line 3, column 7"]),
        Attack(name: "lists 100,000 deep (YAML)", body: HostileDocuments.nestedLists(100_000), status: 400,
               says: ["nest deeper than 64 levels", "api.document.max_nesting"]),
        Attack(name: "objects 100,000 deep (JSON)", body: HostileDocuments.deepJSON(100_000), contentType: "application/json",
               status: 400, says: ["nest deeper than 64 levels", "api.document.max_nesting"]),
        Attack(name: "mappings 100 deep by indentation", body: HostileDocuments.deepBlockYAML(100), status: 400,
               says: ["line 65", "api.document.max_nesting"]),
        Attack(name: "a 200 KB name", body: HostileDocuments.hugeName(bytes: 200_000), status: 400,
               says: ["a value is longer than 65536 bytes", "api.document.max_scalar_bytes"]),
        Attack(name: "60,000 values", body: "spec: [" + Array(repeating: "1", count: 60_000).joined(separator: ",") + "]",
               status: 400, says: ["more than 50000 values", "api.document.max_nodes"]),
        Attack(name: "a mapping of 2,000 keys", body: "annotations: {" + (0..<2_000).map { "k\($0): 1" }.joined(separator: ", ") + "}",
               status: 400, says: ["a mapping has more than 1024 keys", "api.document.max_mapping_keys"]),
        Attack(name: "a body past api.max_body_bytes", body: "# " + String(repeating: "x", count: 1 << 20) + "\n", status: 413,
               says: ["larger than 1048576 bytes", "api.max_body_bytes"]),
        Attack(name: "memory 99999999999tb", body: HostileDocuments.seed(replacing: "memory: 4gb", with: "memory: 99999999999tb"),
               status: 400, says: ["spec.web.memory: size '99999999999tb': too large; a size is at most 2^64 - 1 bytes"]),
        Attack(name: "size 99999999999tb", body: HostileDocuments.seed(replacing: "size: 10gb", with: "size: 99999999999tb"),
               status: 400, says: ["spec.web.dependencies[1].object.size: size '99999999999tb': too large"]),
        Attack(name: "vcpus past 64 bits", body: HostileDocuments.seed(replacing: "vcpus: 2", with: "vcpus: 99999999999999999999"),
               status: 400, says: ["spec.web.vcpus: 99999999999999999999 is out of range"]),
        Attack(name: "vcpus -2^63", body: HostileDocuments.seed(replacing: "vcpus: 2", with: "vcpus: -9223372036854775808"),
               status: 422, says: ["spec.web.vcpus: -9223372036854775808 is out of bounds; expected 1 to 128"]),
        Attack(name: "a name with a terminal escape", body: HostileDocuments.seed(replacing: "name: new_volume", with: #"name: "vol\e[2J""#),
               status: 400, says: ["spec.web.dependencies[1].object.name: contains U+001B (a control character)"]),
        Attack(name: "a name with a right-to-left override", body: HostileDocuments.seed(replacing: "name: vlan_network",
                                                                                          with: "name: \"net\u{202E}gpj.exe\""),
               status: 400, says: ["spec.var_network.name: contains U+202E (an invisible formatting character)"]),
        Attack(name: "a variable name with a newline", body: HostileDocuments.seed(replacing: "  var_network:", with: "  \"var\\nnetwork\":"),
               status: 400, says: ["contains U+000A (a control character)"]),
    ]

    @Test func eachAttackIsAnsweredAtOnceAndChangesNothing() async throws {
        try await APIHarness.run { api in
            for attack in Self.attacks {
                let started = ContinuousClock.now
                let response = try await api.send(.post, "/api/spec", body: attack.body, contentType: attack.contentType,
                                                  accept: "application/json")
                let elapsed = ContinuousClock.now - started
                let text = String(buffer: response.body)
                #expect(response.status.code == attack.status, "\(attack): \(text.prefix(500))")
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let problems = (answer["problems"] as? [[String: String]] ?? []).map { problem in
                    (problem["path"] ?? "").isEmpty ? problem["message"] ?? "" : "\(problem["path"]!): \(problem["message"] ?? "")"
                }
                let said = [answer["error"] as? String ?? ""] + problems
                for fragment in attack.says {
                    #expect(said.contains { $0.contains(fragment) }, "\(attack): '\(fragment)' not in \(said)")
                }
                // Refused before any real work: not a measurement, a bound far above it.
                #expect(elapsed < .seconds(10), "\(attack) took \(elapsed)")
                for table in ["specs", "spec_versions", "nodes", "edges", "events", "outbox"] {
                    #expect(try await IntegrationEnvironment.count(table, in: api.store) == 0, "\(attack): \(table) changed")
                }
            }
            try await Task.sleep(for: .seconds(1))
            #expect(api.published.all.isEmpty, "nothing was published")

            // Still serving: the seed's own document is accepted and handed to the scheduler.
            let accepted = try await api.send(.post, "/api/spec", body: SeedDocuments.submittedSpec, accept: "application/json")
            #expect(accepted.status == .created, "\(String(buffer: accepted.body).prefix(500))")
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: accepted.body)) as? [String: Any])
            let specID = try #require(answer["id"] as? Int)
            #expect(try await api.published.forSpec(Int64(specID)).count == 1)
        }
    }

    /// Names are text in any script; only control and invisible characters are refused. What is
    /// accepted is stored and answered exactly as written.
    @Test func namesInAnyScriptAreKeptAsWritten() async throws {
        try await APIHarness.run { api in
            let name = "ウェブ café ☕ (β)"
            let body = HostileDocuments.seed(replacing: "name: new_volume", with: "name: \"\(name)\"")
            let response = try await api.send(.post, "/api/spec", body: body, accept: "application/json")
            #expect(response.status == .created, "\(String(buffer: response.body).prefix(500))")
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let spec = try #require(answer["spec"] as? [String: Any])
            let web = try #require(spec["web"] as? [String: Any])
            let volume = try #require(((web["dependencies"] as? [[String: Any]])?[1]["object"]) as? [String: Any])
            #expect(volume["name"] as? String == name)
        }
    }

    /// The API's document limits are configuration: lowered, the answer names the lowered value.
    @Test func theLimitsAreConfiguration() async throws {
        let configuration = try await APIConfiguration(ServiceConfiguration.load(file: nil, environment: [
            "N0CORE_API_TOKENS": "t", "N0CORE_API_DOCUMENT_MAX_NESTING": "12", "N0CORE_API_DOCUMENT_MAX_NODES": "400",
            "N0CORE_API_DOCUMENT_MAX_MAPPING_KEYS": "30", "N0CORE_API_DOCUMENT_MAX_SCALAR_BYTES": "100",
            "N0CORE_API_MAX_BODY_BYTES": "4096",
        ]))
        #expect(configuration.documentLimits == DocumentLimits(maxBytes: 4096, maxNesting: 12, maxNodes: 400, maxMappingKeys: 30,
                                                               maxScalarBytes: 100))
        #expect(try await APIConfiguration(ServiceConfiguration.load(file: nil, environment: ["N0CORE_API_TOKENS": "t"]))
            .documentLimits == .document)
        for (variable, value) in [("N0CORE_API_DOCUMENT_MAX_NESTING", "65"), ("N0CORE_API_DOCUMENT_MAX_NODES", "0"),
                                  ("N0CORE_API_MAX_BODY_BYTES", "99999999999"), ("N0CORE_API_DOCUMENT_MAX_SCALAR_BYTES", "lots")] {
            do {
                _ = try await APIConfiguration(ServiceConfiguration.load(file: nil, environment: ["N0CORE_API_TOKENS": "t", variable: value]))
                Issue.record("\(variable)=\(value) was accepted")
            } catch let error as ConfigurationError {
                #expect("\(error)".contains("is not valid; expected a whole number of"), "\(error)")
            }
        }
    }
}
