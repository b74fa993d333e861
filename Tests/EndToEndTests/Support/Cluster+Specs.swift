import Foundation
import TestSupport
import Testing

/// A spec the cluster applied, with the ids the checks need.
struct AppliedSpec {
    var id: Int
    var version: Int
    var vmID: String
    var volumeID: String
    var networkID: String
}

/// An edge of the graph as the API answers it.
struct GraphEdgeView {
    var source: String
    var target: String
    var relation: String
}

extension Cluster {
    /// POSTs `document` (YAML) and waits until every object is applied; fails with the objects'
    /// progress when the spec fails or time runs out.
    func submitAndWaitApplied(_ document: String, timeout: Duration = .seconds(120)) async throws -> AppliedSpec {
        let created = try api(.post, "/api/spec", body: document)
        try #require(created.status == 201, "POST /api/spec answered \(created.status): \(created.body)")
        let answer = try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any]
        let id = try #require(answer?["id"] as? Int)
        let spec = try #require(answer?["spec"] as? [String: [String: Any]])
        func objectID(_ type: String) throws -> String {
            try #require(Self.ids(in: spec).first { $0.type == type }?.id, "no \(type) in the answer")
        }
        let applied = AppliedSpec(id: id, version: 0, vmID: try objectID("resource/vm/kvm"),
                                  volumeID: try objectID("resource/volume/file"),
                                  networkID: try objectID("resource/network/vlan"))
        try await waitForState("applied", spec: id, version: 0, timeout: timeout)
        return applied
    }

    /// DELETEs the spec and waits until its deletion version is applied.
    func deleteAndWaitApplied(_ spec: AppliedSpec, timeout: Duration = .seconds(120)) async throws {
        let deleted = try api(.delete, "/api/spec/\(spec.id)")
        try #require(deleted.status == 202, "DELETE answered \(deleted.status): \(deleted.body)")
        try await waitForState("applied", spec: spec.id, version: spec.version + 1, timeout: timeout)
    }

    /// The VM's `vnc_address` (`127.0.0.1:5901`) as the API shows it (`GET /api/objects/{id}`),
    /// reported by its compute agent; nil while it has none.
    func vncAddress(ofVM id: String) throws -> String? {
        let node = try api(.get, "/api/objects/\(id)")
        let object = (try JSONSerialization.jsonObject(with: Data(node.body.utf8)) as? [String: Any])?["object"] as? [String: Any]
        return object?["vnc_address"] as? String
    }

    /// The edges of the spec's graph (`GET /api/graph?spec_id=`), placements included.
    func graphEdges(spec id: Int) throws -> [GraphEdgeView] {
        let graph = try api(.get, "/api/graph?spec_id=\(id)")
        let edges = (try JSONSerialization.jsonObject(with: Data(graph.body.utf8)) as? [String: Any])?["edges"] as? [[String: Any]]
        return (edges ?? []).compactMap { edge in
            guard let source = edge["source"] as? String, let target = edge["target"] as? String,
                  let relation = edge["relation"] as? String else { return nil }
            return GraphEdgeView(source: source, target: target, relation: relation)
        }
    }

    /// The distinct desired states of the spec's objects in the graph (its agents left out).
    func graphDesiredStates(_ spec: AppliedSpec) throws -> Set<String> {
        let graph = try api(.get, "/api/graph?spec_id=\(spec.id)")
        let nodes = (try JSONSerialization.jsonObject(with: Data(graph.body.utf8)) as? [String: Any])?["nodes"] as? [[String: Any]]
        return Set((nodes ?? []).filter { ($0["type"] as? String)?.hasPrefix("agent/") == false }
            .compactMap { $0["desired_state"] as? String })
    }

    /// PUTs `document` (YAML) as a new version of `spec` and waits until that version is applied.
    func replaceAndWaitApplied(_ spec: AppliedSpec, with document: String, timeout: Duration = .seconds(120)) async throws -> HTTP.Response {
        let replaced = try api(.put, "/api/spec/\(spec.id)", body: document)
        try #require(replaced.status == 200, "PUT answered \(replaced.status): \(replaced.body)")
        let answer = try JSONSerialization.jsonObject(with: Data(replaced.body.utf8)) as? [String: Any]
        let version = try #require(answer?["version"] as? Int)
        try await waitForState("applied", spec: spec.id, version: version, timeout: timeout)
        return replaced
    }

    /// Waits until version `version` of spec `id` is in `state`; fails at once when it failed.
    func waitForState(_ state: String, spec id: Int, version: Int, timeout: Duration) async throws {
        var last = ""
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let status = try api(.get, "/api/spec/\(id)")
            last = status.body
            let answer = try? JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
            if answer?["version"] as? Int == version {
                if answer?["state"] as? String == state { return }
                if answer?["state"] as? String == "failed" {
                    Issue.record("spec \(id) version \(version) failed: \(status.body)")
                    throw TimedOut("spec \(id) failed")
                }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("spec \(id) version \(version) not \(state) within \(timeout); last status: \(last)")
        throw TimedOut("spec \(id) not \(state)")
    }

    /// Every object in an API answer's `spec`, nested dependencies included.
    private static func ids(in spec: [String: [String: Any]]) -> [(type: String, id: String)] {
        var found: [(String, String)] = []
        func visit(_ object: [String: Any]) {
            if let type = object["type"] as? String, let id = object["id"] as? String { found.append((type, id)) }
            for dependency in object["dependencies"] as? [[String: Any]] ?? [] {
                if let inner = dependency["object"] as? [String: Any] { visit(inner) }
            }
        }
        spec.values.forEach(visit)
        return found
    }
}
