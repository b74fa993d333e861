import Foundation
import Testing
@testable import Messages

@Suite struct ObjectIDTests {
    @Test func encodesLowercase() throws {
        let id = try #require(ObjectID("56410722-D507-472A-A800-C89211B7C261"))
        #expect(id.description == "56410722-d507-472a-a800-c89211b7c261")
        #expect(MessageCodec.encodeString(Object(id: id), format: .json)
            == #"{"id":"56410722-d507-472a-a800-c89211b7c261"}"#)
        let random = ObjectID()
        #expect(random.description == random.description.lowercased())
    }

    @Test func acceptsEitherCase() throws {
        let lower = try MessageCodec.decode(Object.self, from: #"{"id":"56410722-d507-472a-a800-c89211b7c261"}"#, format: .json)
        let upper = try MessageCodec.decode(Object.self, from: #"{"id":"56410722-D507-472A-A800-C89211B7C261"}"#, format: .json)
        #expect(lower == upper)
    }

    @Test(arguments: ["", "hello", "56410722d507472aa800c89211b7c261", "56410722-d507-472a-a800-c89211b7c26z"])
    func rejectsInvalid(text: String) {
        #expect(ObjectID(text) == nil)
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(Object.self, from: #"{"id":"\#(text)"}"#, format: .json)
        }
        #expect(error?.problems == [FieldProblem(
            path: "id", message: "invalid id '\(text)': expected a UUID such as 56410722-d507-472a-a800-c89211b7c261")])
    }

    @Test func wrapsFoundationUUID() {
        let uuid = UUID()
        #expect(ObjectID(uuid).uuid == uuid)
        #expect(ObjectID(ObjectID(uuid).description) == ObjectID(uuid))
    }

    @Test func ordersAsTheCanonicalStringsDo() {
        let ids = (0..<500).map { _ in ObjectID() } + [ObjectID("00000000-0000-0000-0000-000000000000")!,
                                                          ObjectID("ffffffff-ffff-ffff-ffff-ffffffffffff")!,
                                                          ObjectID("0000000a-0000-0000-0000-000000000000")!,
                                                          ObjectID("00000009-ffff-ffff-ffff-ffffffffffff")!]
        #expect(ids.sorted().map(\.description) == ids.map(\.description).sorted())
    }
}
