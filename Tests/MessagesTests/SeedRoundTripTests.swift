import TestSupport
import Foundation
import Testing
@testable import Messages

/// Every seed document decodes into its model and re-encodes, as YAML and as JSON, to the same
/// data (after mapping the seed's two misspellings to the output spelling).
@Suite struct SeedRoundTripTests {
    /// Decodes `yaml` as `T`, re-encodes it both ways and checks the data and the model survive.
    func assertRoundTrip<T: Codable & Equatable>(
        _ type: T.Type, _ yaml: String,
        adjust: (inout DataTree) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let model = try MessageCodec.decode(T.self, from: yaml, format: .yaml)
        var expected = try DataTree.parse(yaml).normalizingSeedSpelling()
        adjust(&expected)

        for format in WireFormat.allCases {
            let text = MessageCodec.encodeString(model, format: format)
            #expect(try DataTree.parse(text) == expected, "\(format) output differs:\n\(text)",
                    sourceLocation: sourceLocation)
            let again = try MessageCodec.decode(T.self, from: text, format: format)
            #expect(again == model, "\(format) re-decode differs", sourceLocation: sourceLocation)
        }
    }

    @Test func submittedSpec() throws {
        try assertRoundTrip(SpecDocument.self, SeedDocuments.submittedSpec)
    }

    /// `created_at: 1990/1/1 00:00` is not ISO 8601: it is read as UTC and written back in
    /// ISO 8601, so that one field is compared by value.
    @Test func specResponse() throws {
        let response = try MessageCodec.decode(SpecResponse.self, from: SeedDocuments.specResponse, format: .yaml)
        #expect(response.createdAt == Date(timeIntervalSince1970: 631_152_000))
        let json = MessageCodec.encodeString(response, format: .json)
        #expect(json.contains(#""created_at":"1990-01-01T00:00:00.000Z""#))
        try assertRoundTrip(SpecResponse.self, SeedDocuments.specResponse) { tree in
            tree["created_at"] = .string("1990-01-01T00:00:00.000Z")
        }
    }

    @Test func specMessage() throws {
        try assertRoundTrip(SpecMessage.self, SeedDocuments.specMessage)
    }

    /// The seed writes a bare `depended_by:` (null) on three requests and leaves it out of the
    /// VM's; the encoder always writes `depended_by: null` when nothing waits, so a missing key
    /// is expected as null.
    @Test(arguments: SeedDocuments.requests.indices)
    func requestMessage(index: Int) throws {
        try assertRoundTrip(RequestMessage.self, SeedDocuments.requests[index]) { tree in
            if tree["depended_by"] == nil {
                tree["depended_by"] = .null
            }
        }
    }

    @Test(arguments: SeedDocuments.notifies.indices)
    func notifyMessage(index: Int) throws {
        try assertRoundTrip(NotifyMessage.self, SeedDocuments.notifies[index])
    }
}
