import Foundation
import Testing
import TestSupport

@testable import Messages

/// Texts past a limit are refused before a document is built from them, saying which limit and
/// where; texts within them decode as before.
@Suite struct DocumentLimitsTests {
    func exceeded(_ text: String, _ format: WireFormat, limits: DocumentLimits = .document) -> LimitExceeded? {
        do {
            _ = try MessageCodec.decode(SpecDocument.self, from: Data(text.utf8), format: format, limits: limits)
            return nil
        } catch {
            return error.exceeded
        }
    }

    @Test func theAliasBombIsRefusedAtItsFirstAnchor() throws {
        let bomb = HostileDocuments.aliasBomb
        let refused = try #require(exceeded(bomb, .yaml))
        #expect(refused.limit == .anchors)
        #expect(refused.line == 3 && refused.found == "&l0", "\(refused)")
        #expect(refused.description == "line 3, column 7: YAML anchors and aliases are not accepted (found &l0); write each value out in full")
    }

    @Test func anAliasAloneIsRefusedToo() throws {
        // An alias of an undefined anchor: libyaml reports it as an event like any other.
        let refused = try #require(exceeded("version: 0\nspec: *everything\n", .yaml))
        #expect(refused.limit == .anchors && refused.found == "*everything" && refused.line == 2)
        let anchoredList = try #require(exceeded("spec: &s []\n", .yaml))
        #expect(anchoredList.found == "&s")
    }

    @Test(arguments: [WireFormat.yaml, .json])
    func nestingAHundredThousandDeepStopsAtTheLimit(format: WireFormat) throws {
        let refused = try #require(exceeded(HostileDocuments.nestedLists(100_000), format))
        #expect(refused.limit == .nesting && refused.maximum == 64)
        // libyaml's scanner stops at its own bound while looking ahead from the first `[`.
        #expect(refused.line == 1 && refused.column == (format == .json ? 65 : 1), "\(refused)")
        // Within libyaml's look-ahead, the level is found where it is exceeded.
        let shallower = try #require(exceeded(HostileDocuments.nestedLists(400), format))
        #expect(shallower.limit == .nesting && shallower.column == 65, "\(shallower)")
    }

    @Test func deepJSONInsideADocumentIsRefused() throws {
        let refused = try #require(exceeded(HostileDocuments.deepJSON(100_000), .json))
        #expect(refused.limit == .nesting)
    }

    @Test func deepBlockYAMLIsRefused() throws {
        let refused = try #require(exceeded(HostileDocuments.deepBlockYAML(100), .yaml))
        #expect(refused.limit == .nesting && refused.line == 65, "\(refused)")
    }

    @Test(arguments: [WireFormat.yaml, .json])
    func aHugeScalarIsRefused(format: WireFormat) throws {
        let value = String(repeating: "x", count: 100_000)
        let text = format == .yaml ? "spec:\n  web:\n    name: \(value)\n" : #"{"spec": {"web": {"name": "\#(value)"}}}"#
        let refused = try #require(exceeded(text, format))
        #expect(refused.limit == .scalarBytes && refused.maximum == 65_536)
        #expect(refused.line == (format == .yaml ? 3 : 1), "\(refused)")
    }

    @Test func aHugeNumberIsRefusedAsAScalar() throws {
        let refused = try #require(exceeded(#"{"version": "# + String(repeating: "9", count: 70_000) + "}", .json))
        #expect(refused.limit == .scalarBytes && refused.column == 13)
    }

    @Test(arguments: [WireFormat.yaml, .json])
    func tooManyValuesAreRefused(format: WireFormat) throws {
        let items = Array(repeating: "1", count: 60_000).joined(separator: ",")
        let refused = try #require(exceeded(format == .yaml ? "spec: [\(items)]" : #"{"spec": [\#(items)]}"#, format))
        #expect(refused.limit == .nodes && refused.maximum == 50_000)
    }

    @Test(arguments: [WireFormat.yaml, .json])
    func aMappingWithTooManyKeysIsRefused(format: WireFormat) throws {
        let keys = (0..<1_100).map { #""k\#($0)": 1"# }.joined(separator: ", ")
        let refused = try #require(exceeded(#"{"annotations": {\#(keys)}}"#, format))
        #expect(refused.limit == .mappingKeys && refused.maximum == 1_024)
    }

    @Test(arguments: [WireFormat.yaml, .json])
    func aTextLargerThanTheLimitIsRefusedBeforeItIsRead(format: WireFormat) throws {
        let refused = try #require(exceeded(String(repeating: " ", count: 2_000), format, limits: DocumentLimits(maxBytes: 1_000)))
        #expect(refused == LimitExceeded(limit: .bytes, maximum: 1_000))
    }

    @Test func structureInsideJSONStringsIsNotStructure() throws {
        let text = #"{"spec": {"a": {"type": "resource/nic", "name": "[[[{{{\"]]]}}}\\"}}}"#
        #expect(exceeded(text, .json, limits: DocumentLimits(maxNesting: 3)) == nil)
        #expect(exceeded(text, .json, limits: DocumentLimits(maxNesting: 2))?.limit == .nesting)
    }

    @Test func theSeedsDocumentsAreWithinTheLimits() throws {
        #expect(exceeded(SeedDocuments.submittedSpec, .yaml) == nil)
        let json = MessageCodec.encode(try MessageCodec.decode(SpecDocument.self, from: SeedDocuments.submittedSpec, format: .yaml),
                                       format: .json)
        #expect(DocumentLimits.document.firstExceeded(in: json, format: .json) == nil)
        var messages = [MessageCodec.encode(try MessageCodec.decode(SpecMessage.self, from: SeedDocuments.specMessage, format: .yaml),
                                            format: .json)]
        for request in SeedDocuments.requests {
            messages.append(MessageCodec.encode(try MessageCodec.decode(RequestMessage.self, from: request, format: .yaml), format: .json))
        }
        for notify in SeedDocuments.notifies {
            messages.append(MessageCodec.encode(try MessageCodec.decode(NotifyMessage.self, from: notify, format: .yaml), format: .json))
        }
        for data in messages {
            #expect(DocumentLimits.message.firstExceeded(in: data, format: .json) == nil)
            #expect(DocumentLimits.document.firstExceeded(in: data, format: .json) == nil)
        }
    }

    @Test func aSyntaxErrorIsLeftToTheDecoder() throws {
        #expect(exceeded("spec: [unclosed", .yaml) == nil)
        #expect(exceeded(#"{"spec": "#, .json) == nil)
    }

    /// A message past the broker's limits is refused by the wire decoder, whatever its type.
    @Test func wireMessagesAreCheckedAgainstTheMessageLimits() throws {
        let oversized = Data(#"{"id": 1, "spec": [], "padding": ""# .utf8) + Data(repeating: UInt8(ascii: "a"), count: 9 << 20) + Data(#""}"#.utf8)
        #expect(throws: DocumentError.self) { try MessageCodec.decodeWire(SpecMessage.self, from: oversized) }
        do {
            _ = try MessageCodec.decodeWire(SpecMessage.self, from: oversized)
        } catch {
            #expect(error.exceeded?.limit == .bytes)
            #expect(error.description == "the document is larger than 8388608 bytes")
        }
        let deep = Data(HostileDocuments.deepJSON(100_000).utf8)
        #expect(throws: DocumentError.self) { try MessageCodec.decodeWire(NotifyMessage.self, from: deep) }
    }

    @Test func theAPIsLargestLimitsLeaveRoomInMessages() {
        let largest = DocumentLimits.largestDocument
        #expect(largest.maxBytes * 2 == DocumentLimits.message.maxBytes)
        for (limit, value) in DocumentLimits.document.bounds {
            #expect(value <= largest[limit], "\(limit)")
        }
    }
}
