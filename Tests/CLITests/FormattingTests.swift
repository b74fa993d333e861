import Foundation
import Testing
@testable import CLI

@Suite struct FormattingTests {
    @Test func tableAlignsColumnsWithoutTrailingBlanks() {
        var table = Table(["ID", "STATE", "OBJECTS"])
        table.append(["12", "applied", "3 APPLIED"])
        table.append(["3", "pending", "-"])
        #expect(table.render() == """
            ID  STATE    OBJECTS
            12  applied  3 APPLIED
            3   pending  -

            """)
    }

    @Test func objectCountsReadAsWords() {
        #expect(ListCommand.objectCounts(["WAITING": 1, "APPLIED": 3]) == "3 APPLIED, 1 WAITING")
        #expect(ListCommand.objectCounts([:]) == "-")
    }

    @Test func sizesInBinaryUnits() {
        #expect(ByteSize.bytes(of: "8gb") == 8 << 30)
        #expect(ByteSize.bytes(of: "512MB") == 512 << 20)
        #expect(ByteSize.bytes(of: "4zb") == nil)
        #expect(ByteSize.format(4 << 30) == "4G")
        #expect(ByteSize.format(1536) == "1.5K")
        #expect(ByteSize.format(0) == "0")
        #expect(AgentsCommand.claimed(2 << 30, of: "8gb") == "2G/8G")
        #expect(AgentsCommand.claimed(0, of: nil) == "0/-")
    }

    @Test func agentsTable() throws {
        let page = try JSONDecoder().decode(AgentPage.self, from: Data("""
            {"agents":[{"id":"a1","type":"agent/compute/kvm","name":"compute","host_id":"h1","liveness":"alived",
              "last_heartbeat":"2026-12-03T01:00:00Z","capacity":{"vcpus":8,"memory":"16gb"},
              "claimed":{"vcpus":2,"memory_bytes":4294967296,"disk_bytes":0,"claims":1}}]}
            """.utf8))
        #expect(AgentsCommand.render(page.agents) == """
            ID  KIND         HOST  LIVENESS  LAST HEARTBEAT        VCPUS  MEMORY  DISK
            a1  compute/kvm  h1    alived    2026-12-03T01:00:00Z  2/8    4G/16G  0/-

            """)
    }

    @Test func planTableAndSummary() throws {
        // A network the version would put on two porters, an unnamed NIC the plan gives no id
        // (it is new), an object it does not send, and a version that would fail.
        let plan = try JSONDecoder().decode(PlanView.self, from: Data("""
            {"objects":[
              {"action":"change","changed_fields":["memory","vcpus"],"id":"u1","name":"web","placement":{"agent_id":"a1","host_id":"h1"},"type":"resource/vm/kvm"},
              {"action":"create","changed_fields":[],"name":"","placement":null,"placement_error":"no alive agent/porter/vlan","type":"resource/nic"},
              {"action":"change","changed_fields":["subnets"],"id":"u3","name":"net","placement":{"agent_id":"p1","host_id":"h1"},
               "placements":[{"agent_id":"p1","host_id":"h1"},{"agent_id":"p2","host_id":"h2"}],"type":"resource/network/vlan"},
              {"action":"unchanged","changed_fields":[],"id":"u4","name":"disk","placement":null,"type":"resource/volume/file"}],
             "placement":"impossible","reason":"nic: no alive agent/porter/vlan","spec_id":1,"version":3}
            """.utf8))
        #expect(PlanCommand.render(plan) == """
            ACTION     NAME  TYPE                   CHANGED        PLACEMENT
            change     web   resource/vm/kvm        memory, vcpus  agent a1 on host h1
            create     -     resource/nic           -              no alive agent/porter/vlan
            change     net   resource/network/vlan  subnets        agent p1 on host h1, agent p2 on host h2
            unchanged  disk  resource/volume/file   -              -

            plan for spec 1 version 3: 1 to create, 2 to change, 0 to delete, 1 unchanged
            placement: impossible (the version would fail): nic: no alive agent/porter/vlan

            """)
        let nothing = try JSONDecoder().decode(PlanView.self, from: Data(#"{"objects":[],"placement":"nothing to place","spec_id":1,"version":4}"#.utf8))
        #expect(PlanCommand.render(nothing).hasSuffix("placement: nothing to place (the version changes no object)\n"))
    }

    var graph: GraphView {
        GraphView(nodes: [
            .init(id: "vm", type: "resource/vm/kvm", name: "web", desiredState: "running", observedState: "running"),
            .init(id: "disk", type: "resource/volume/file", name: "disk", desiredState: "allocated"),
            .init(id: "nic", type: "resource/nic", name: "nic", desiredState: "attached"),
            .init(id: "net", type: "resource/network/vlan", name: "net \"a\"", desiredState: "applied", observedState: "failed"),
            .init(id: "agent", type: "agent/compute/kvm", name: "compute", desiredState: "alived",
                  object: .object(["host_id": .string("h1")])),
        ], edges: [
            .init(source: "vm", target: "disk", relation: "n0stack/n0core/vm/attachments"),
            .init(source: "vm", target: "nic", relation: "n0stack/n0core/vm/attachments"),
            .init(source: "nic", target: "net", relation: "n0stack/n0core/port/network"),
            .init(source: "vm", target: "agent", relation: "n0stack/n0core/resource/scheduled"),
        ])
    }

    @Test func treeShowsDependenciesAndPlacements() {
        #expect(GraphRendering.tree(graph) == """
            web (resource/vm/kvm) running — on agent/compute/kvm agent host h1
            ├── attachments → disk (resource/volume/file) allocated
            └── attachments → nic (resource/nic) attached
                └── network → net "a" (resource/network/vlan) failed

            """)
        #expect(GraphRendering.tree(graph, rootID: "nic").hasPrefix("nic (resource/nic) attached\n└── network → net"))
    }

    @Test func treeCutsCycles() {
        let cyclic = GraphView(nodes: [.init(id: "a", type: "t", name: "a"), .init(id: "b", type: "t", name: "b")],
                               edges: [.init(source: "a", target: "b", relation: "x/r"), .init(source: "b", target: "a", relation: "x/r")])
        let text = GraphRendering.tree(cyclic)
        #expect(text.contains("└── r → a (cycle)"))
    }

    @Test func dotLabelsColoursAndEscapes() {
        let dot = GraphRendering.dot(graph)
        #expect(dot.hasPrefix("digraph n0core {\n"))
        #expect(dot.hasSuffix("}\n"))
        #expect(dot.contains(#""vm" [label="web\nresource/vm/kvm\nrunning", fillcolor="palegreen"];"#))
        #expect(dot.contains(#""net" [label="net \"a\"\nresource/network/vlan\nfailed", fillcolor="salmon"];"#))
        #expect(dot.contains(#""agent" [label="compute\nagent/compute/kvm\nalived", fillcolor="palegreen", shape=ellipse];"#))
        #expect(dot.contains(#""nic" -> "net" [label="network"];"#))
        #expect(dot.contains(#""vm" -> "agent" [label="scheduled", style=dashed];"#))
    }

    @Test func coloursReadStatesInAnyCase() {
        #expect(GraphRendering.colour("APPLIED") == "palegreen")
        #expect(GraphRendering.colour("dead") == "salmon")
        #expect(GraphRendering.colour(nil) == "lightyellow")
    }

    @Test func getShowsUnnamedObjectsByIDAndMarksDeletedOnes() throws {
        let status = try JSONDecoder().decode(SpecStatusView.self, from: Data("""
            {"id":1,"version":1,"state":"pending","created_at":"2026-12-03T01:00:00Z","spec":{},"events":[],"objects":[
              {"id":"u-old","type":"resource/vm/kvm","name":"web","desired_state":"deleted","progress":"APPLIED","version":1,"agent":"a1"},
              {"id":"u-nic","type":"resource/nic","name":"","desired_state":"attached","progress":"SCHEDULED","message":"scheduled on a2","version":1}]}
            """.utf8))
        #expect(GetCommand.render(status) == """
            spec 1 version 1: pending

            NAME           TYPE             PROGRESS   AGENT  MESSAGE
            web [deleted]  resource/vm/kvm  APPLIED    a1
            u-nic          resource/nic     SCHEDULED  -      scheduled on a2

            """)
    }

    @Test func structuredOutputIsTheAPIsJSONWithSortedKeys() throws {
        let value = JSONValue.object(["b": .integer(1), "a": .array([.string("x"), .null, .bool(true), .number(1.5)])])
        #expect(try OutputFormat.json.render(value) == """
            {
              "a" : [
                "x",
                null,
                true,
                1.5
              ],
              "b" : 1
            }

            """)
        #expect(try OutputFormat.yaml.render(value).hasPrefix("a:\n- x\n"))
        #expect(try OutputFormat.json.renderStreamed(value) == #"{"a":["x",null,true,1.5],"b":1}"# + "\n")
    }

    @Test func utf8ChunksNeverCutACharacter() {
        let bytes = Array("a\u{E9}\u{1F600}b".utf8)
        for split in 0...bytes.count {
            var chunks = UTF8Chunks()
            let text = chunks.append(bytes[..<split]) + chunks.append(bytes[split...]) + chunks.finish()
            #expect(text == "a\u{E9}\u{1F600}b", "split at \(split)")
        }
    }
}
