import TestSupport
import Testing
@testable import Messages

@Suite struct ObjectWalkTests {
    @Test func depthFirstWithPaths() throws {
        let request = try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestVM, format: .yaml)
        var visited: [(String, ObjectType?)] = []
        request.object.walk(path: "object") { object, path in visited.append((path, object.type)) }
        #expect(visited.map(\.0) == [
            "object",
            "object.dependencies[0].object",
            "object.dependencies[0].object.dependencies[0].object",
            "object.dependencies[0].object.dependencies[0].object.dependencies[0].object",
            "object.dependencies[0].object.dependencies[1].object",
            "object.dependencies[1].object",
            "object.dependencies[1].object.dependencies[0].object",
            "object.dependencies[2].object",
        ])
        #expect(visited.map(\.1) == [.vmKVM, .nic, .networkVLAN, .agentPorterVLAN, .agentPorterVLAN,
                                     .volumeFile, .agentVolumerFile, .agentComputeKVM])
        #expect(request.object.allObjects.map(\.type) == visited.map(\.1))
        #expect(Object(type: .nic).allObjects.count == 1)
    }

    /// `mapObjects` rewrites every object, e.g. resolving variable references into ids.
    @Test func mapObjectsResolvesReferences() throws {
        let document = try MessageCodec.decode(SpecDocument.self, from: SeedDocuments.submittedSpec, format: .yaml)
        let networkID = ObjectID()
        let web = try #require(document.spec["web"]).mapObjects { object in
            guard object.variable == "var_network" else { return object }
            return .reference(networkID)
        }
        #expect(web.allObjects.contains(.reference(networkID)))
        #expect(!web.allObjects.contains { $0.variable != nil })
        #expect(web.allObjects.count == document.spec["web"]!.allObjects.count)
    }
}
