import Foundation
import Testing
import Yams
@testable import CLI

@Suite struct SpecDocumentFileTests {
    @Test func aNewDocumentHasNoSpecID() throws {
        let file = try SpecDocumentFile(path: "seed.yaml", data: Data("version: 0\nspec:\n  web:\n    type: resource/vm/kvm\n".utf8))
        #expect(file.specID == nil)
        #expect(file.format.contentType == "application/yaml")
    }

    @Test func aVersionReadBackNamesItsSpecAndGetsTheLatestVersion() throws {
        let text = """
            id: 12
            created_at: '2026-12-03T01:00:00Z'
            version: 0
            spec:
              web:
                type: resource/vm/kvm
                vnc_password: '********'
            """
        let file = try SpecDocumentFile(path: "v0.yml", data: Data(text.utf8))
        #expect(file.specID == 12)
        let replaced = String(decoding: try file.replacingVersion(with: 4), as: UTF8.self)
        let node = try #require(try Yams.compose(yaml: replaced))
        #expect(node["version"]?.int == 4)
        #expect(node["id"]?.int == 12)
        #expect(node["spec"]?["web"]?["vnc_password"]?.string == "********")
        // The keys keep their order.
        #expect(replaced.hasPrefix("id: 12\ncreated_at:"))
    }

    @Test func aMissingVersionIsAdded() throws {
        let file = try SpecDocumentFile(path: "a.yaml", data: Data("spec: {}\n".utf8))
        let node = try #require(try Yams.compose(yaml: String(decoding: try file.replacingVersion(with: 2), as: UTF8.self)))
        #expect(node["version"]?.int == 2)
    }

    @Test func jsonByExtension() throws {
        let file = try SpecDocumentFile(path: "doc.JSON", data: Data(#"{"id": 3, "version": 0, "spec": {}}"#.utf8))
        #expect(file.format.contentType == "application/json")
        #expect(file.specID == 3)
        let replaced = try JSONDecoder().decode(JSONValue.self, from: try file.replacingVersion(with: 5))
        #expect(replaced["version"] == .integer(5))
        #expect(replaced["id"] == .integer(3))
    }

    @Test func notADocument() {
        #expect(throws: CLIFailure.self) { try SpecDocumentFile(path: "a.yaml", data: Data("- a\n- b\n".utf8)) }
        #expect(throws: CLIFailure.self) { try SpecDocumentFile(path: "a.json", data: Data("{".utf8)) }
        #expect(throws: CLIFailure.self) { try SpecDocumentFile(path: "a.yaml", data: Data("id: twelve\n".utf8)) }
    }
}
