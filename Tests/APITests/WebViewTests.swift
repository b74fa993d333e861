import Foundation
import Messages
import SeedExamples
import Store
import Testing
import TestSupport

@testable import API

/// The web view in a real browser (Debian's `chromium`, headless, `HeadlessChromium`) against a
/// real API: the seed's document applied through the page's form, then followed live through
/// the spec's event stream while the test records what the scheduler and the conductor would
/// (no scheduler runs here) — scheduled, then applied object by object — until the page shows
/// every object applied, in the table and in the graph, without ever reloading. The last state is
/// saved as a PNG (`N0CORE_UI_SCREENSHOT`, default /tmp/n0core-ui-screenshot.png).
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase && HeadlessChromium.testsEnabled))
struct WebViewTests {
    static let screenshot = ProcessInfo.processInfo.environment["N0CORE_UI_SCREENSHOT"] ?? "/tmp/n0core-ui-screenshot.png"
    static let host = ObjectID("85cf3a3a-18e4-4fe2-b406-9e79079cae07")!
    static let agentTypes: [ObjectType] = [.agentComputeKVM, .agentVolumerFile, .agentPorterVLAN]
    /// Set in the page once it shows the spec; still there at the end only if it never reloaded.
    static let marker = "window.n0coreTestMarker === 'not reloaded'"

    @Test func aSpecAppliedThroughThePageTurnsAppliedLive() async throws {
        try await APIHarness.run { api in
            let agents = try await Self.registerAgents(api.store)
            let port = try #require(api.client.port)
            try await HeadlessChromium.with { browser in
                let page = try await browser.open("http://127.0.0.1:\(port)/ui/#token=\(APIHarness.token)")
                try await page.waitFor("the specs list", "document.querySelector('#specs-view')?.hidden === false")

                _ = try await page.evaluate("""
                    document.querySelector('#apply-document').value = \(try Self.javaScriptString(SeedDocuments.submittedSpec));
                    document.querySelector('#apply-form').requestSubmit();
                    """)
                let specID = try await poll("the page showing the spec it applied", every: .milliseconds(100)) {
                    (try await page.evaluate("(/^#\\/spec\\/(\\d+)$/.exec(location.hash) || [])[1]") as? String).flatMap { Int64($0) }
                }
                let objects = try await SpecService(store: api.store, limits: SpecLimits(), logger: .init(label: "test"))
                    .status(specID: specID).objects
                #expect(objects.count == 4)
                try await page.waitFor("every object PENDING", Self.progress(objects) { _ in "PENDING" })
                _ = try await page.evaluate("window.n0coreTestMarker = 'not reloaded'")

                let placements = try objects.map { object in
                    (object, try #require(ObjectType(rawValue: object.type)?.servingAgent.flatMap { agents[$0] }))
                }
                try await Self.schedule(placements, specID: specID, in: api.store)
                try await page.waitFor("every object SCHEDULED, each edge to its agent drawn", """
                    \(Self.progress(objects) { _ in "SCHEDULED" }) && \(Self.marker)
                    && document.querySelectorAll('#graph g.edge[data-relation="\(Relation.scheduled)"]').length === 4
                    && document.querySelectorAll('#graph g.node[data-type="host"]').length === 1
                    """)

                let vm = try #require(objects.first { $0.type == ObjectType.vmKVM.rawValue })
                try await Self.apply(objects.filter { $0.id != vm.id }, specID: specID, versionApplied: false, in: api.store)
                try await page.waitFor("all but the VM APPLIED", """
                    \(Self.progress(objects) { $0.id == vm.id ? "SCHEDULED" : "APPLIED" }) && \(Self.marker)
                    && document.querySelector('#spec-state').dataset.state === 'pending'
                    """)

                try await Self.apply([vm], specID: specID, versionApplied: true, in: api.store)
                let graphStates = (objects.map { "\($0.type)=APPLIED" } + Self.agentTypes.map { "\($0.rawValue)=alived" } + ["host=host"])
                    .sorted().joined(separator: " ")
                try await page.waitFor("every object APPLIED, the spec applied and its stream settled", """
                    \(Self.progress(objects) { _ in "APPLIED" }) && \(Self.marker)
                    && document.querySelector('#spec-state').dataset.state === 'applied'
                    && document.querySelector('#stream-status').textContent.includes('settled')
                    && [...document.querySelectorAll('#graph g.node')].map((n) => n.dataset.type + '=' + n.dataset.state).sort().join(' ')
                       === '\(graphStates)'
                    && document.querySelectorAll('#events li[data-kind="APPLIED"]').length >= 4
                    """)
                #expect(page.errors.isEmpty, "the page logged errors: \(page.errors)")
                let text = try await page.evaluate("document.body.innerText") as? String ?? ""
                #expect(!text.contains("hogehoge"), "the VM's vnc_password is never shown")

                try await page.screenshot().write(to: URL(fileURLWithPath: Self.screenshot))
                print("web view screenshot: \(Self.screenshot)")
            }
        }
    }

    @Test func aRefusedTokenIsToldPlainly() async throws {
        try await APIHarness.run { api in
            let port = try #require(api.client.port)
            try await HeadlessChromium.with { browser in
                let page = try await browser.open("http://127.0.0.1:\(port)/ui/#token=not-the-token")
                try await page.waitFor("the token asked for again with a message", """
                    document.querySelector('#message')?.hidden === false && document.querySelector('#login')?.hidden === false
                    """)
                let message = try await page.evaluate("document.querySelector('#message').textContent") as? String ?? ""
                #expect(message.contains("401") && message.contains("the bearer token is not valid"), "\(message)")
                #expect(try await page.evaluate("sessionStorage.getItem('n0core.token')") as? String == nil, "the refused token is dropped")
                #expect(try await page.evaluate("location.hash") as? String == "#/", "the token is taken out of the address")
            }
        }
    }

    /// One agent of each kind on the seed's host, alive, as their heartbeats would record them.
    static func registerAgents(_ store: Store) async throws -> [ObjectType: UUID] {
        let agents = Dictionary(uniqueKeysWithValues: agentTypes.map { ($0, UUID()) })
        try await store.withTransaction { tx in
            try await tx.upsertNodes(agents.map { type, id in
                let object = Object(type: type, hostID: host, capacity: Capacity(vcpus: 8, memory: Size(16, .gb)))
                return GraphNode(id: id, type: type.rawValue, name: type.rawValue.replacingOccurrences(of: "/", with: "-") + "-1", desiredState: "alived",
                                 object: MessageCodec.encodeString(object, format: .json))
            })
        }
        return agents
    }

    /// What the scheduler records when it places the objects: their `scheduled` edges, rounds and events.
    static func schedule(_ placements: [(object: ObjectProgress, agent: UUID)], specID: Int64, in store: Store) async throws {
        let property = MessageCodec.encodeString(DependencyProperty(relation: Relation.scheduled), format: .json)
        let ids = placements.map(\.object.id.uuid)
        try await store.withTransaction { tx in
            try await tx.upsertEdges(placements.map {
                GraphEdge(source: $0.object.id.uuid, target: $0.agent, relation: Relation.scheduled, properties: property, specID: specID)
            })
            try await tx.setPlacementPhase(.scheduled, objectIDs: ids, attempt: Dictionary(uniqueKeysWithValues: ids.map { ($0, 1) }))
            try await tx.appendEvents(placements.map {
                Event(specID: specID, version: 0, objectID: $0.object.id.uuid, kind: .scheduled,
                      message: "scheduled on agent \(ObjectID($0.agent)) on host \(host)")
            })
        }
    }

    /// What the conductor records when agents report the objects applied; the version's own
    /// `applied` when these are its last.
    static func apply(_ objects: [ObjectProgress], specID: Int64, versionApplied: Bool, in store: Store) async throws {
        try await store.withTransaction { tx in
            for object in objects {
                var node = try #require(try await tx.node(object.id.uuid))
                node.observedState = "APPLIED"
                try await tx.upsertNodes([node])
            }
            try await tx.setPlacementPhase(.applied, objectIDs: objects.map(\.id.uuid))
            var events = objects.map {
                Event(specID: specID, version: 0, objectID: $0.id.uuid, kind: .applied, message: "applied: Succeeded")
            }
            if versionApplied {
                try await tx.setState(.applied, specID: specID, version: 0)
                events.append(Event(specID: specID, version: 0, kind: .applied, message: "version 0 applied: all 4 objects applied"))
            }
            try await tx.appendEvents(events)
        }
    }

    /// A JavaScript test that the objects table shows each object at `progress(object)`.
    static func progress(_ objects: [ObjectProgress], _ progress: (ObjectProgress) -> String) -> String {
        let expected = objects.map { "\($0.id.description.lowercased())=\(progress($0))" }.sorted().joined(separator: " ")
        return """
            ([...document.querySelectorAll('#objects tbody tr')]
              .map((row) => row.dataset.objectId.toLowerCase() + '=' + row.dataset.progress).sort().join(' ') === '\(expected)')
            """
    }

    static func javaScriptString(_ text: String) throws -> String {
        String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
    }
}
