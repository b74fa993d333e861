import Foundation
import SeedExamples
import Testing
import Yams

@testable import API
@testable import Messages

/// The OpenAPI document against the code it describes: every key each decoder reads, every
/// object type and desired state, the statuses every route can answer. (Its paths and methods
/// against the router: `APIIntegrationTests.openAPIDocumentListsExactlyTheRoutes`; its
/// requests and answers against a real API: `deploy/schemathesis.sh`.)
struct OpenAPIDocumentTests {
    let document: [String: Any]

    init() throws {
        document = try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
    }

    /// `value` as a mapping, or a failed test.
    func map(_ value: Any?, _ what: String) throws -> [String: Any] {
        try #require(value as? [String: Any], "\(what) is not a mapping")
    }

    /// `path` below the document's root, each step a mapping key.
    func node(_ path: String...) throws -> [String: Any] {
        var current = document
        for key in path { current = try map(current[key], key) }
        return current
    }

    func schema(_ name: String) throws -> [String: Any] {
        try node("components", "schemas", name)
    }

    /// The schema of `property` inside `schema`.
    func property(_ schema: [String: Any], _ property: String) throws -> [String: Any] {
        try map(try map(schema["properties"], "properties")[property], property)
    }

    func properties(_ schema: [String: Any]) throws -> Set<String> {
        Set(try map(schema["properties"], "properties").keys)
    }

    /// A schema's `enum` without `null`.
    func values(_ schema: [String: Any]) throws -> [String] {
        let values = try #require(schema["enum"] as? [Any])
        return values.compactMap { $0 as? String }
    }

    /// `pattern` as JSON Schema reads it: its final `$` is the end of the text (ICU's `$` also
    /// matches before a final newline, as Python's does).
    static func regex(_ pattern: String) throws -> NSRegularExpression {
        try NSRegularExpression(pattern: pattern.hasSuffix("$") ? pattern.dropLast() + "\\z" : pattern)
    }

    static let commonKeys: Set<String> = ["type", "id", "name", "state", "status", "dependencies", "relatioins"]

    @Test func isOpenAPI31WithBearerSecurity() throws {
        #expect(document["openapi"] as? String == "3.1.0")
        #expect((document["security"] as? [[String: Any]])?.first?["bearer"] != nil)
    }

    @Test(arguments: [("VM", ObjectType.vmKVM, "VMState"), ("Volume", .volumeFile, "VolumeState"),
                      ("NIC", .nic, "NICState"), ("Network", .networkVLAN, "NetworkState"),
                      ("Image", .image, "ImageState")])
    func eachResourceSchemaHasExactlyItsTypesKeysAndStates(name: String, type: ObjectType, states: String) throws {
        let object = try schema(name)
        #expect(try property(object, "type")["const"] as? String == type.rawValue)
        #expect(try properties(object) == Self.commonKeys.union(type.fieldKeys.map(\.rawValue)))
        #expect(object["additionalProperties"] as? Bool == false)
        #expect(try values(schema(states)) == type.allowedDesiredStates)
    }

    @Test func theAgentSchemaHasEveryAgentTypeAndItsKeys() throws {
        let agent = try schema("Agent")
        let types = try values(property(agent, "type"))
        let agentTypes = ObjectType.allCases.filter(\.isAgent)
        #expect(types == agentTypes.map(\.rawValue))
        for type in agentTypes {
            #expect(try properties(agent) == Self.commonKeys.union(type.fieldKeys.map(\.rawValue)))
            #expect(try values(property(agent, "state")) == type.allowedDesiredStates)
        }
    }

    @Test func objectTypesAndReferencesCoverEveryKey() throws {
        #expect(try values(schema("ObjectType")) == ObjectType.allCases.map(\.rawValue))
        // An id reference may change any field of the resource it names.
        #expect(try properties(schema("IDReference")) == Set(ObjectKey.allCases.map(\.rawValue)).subtracting(["variable"]))
        #expect(try properties(schema("VariableReference")) == ["variable"])
    }

    @Test func documentsAndTheirPartsListExactlyTheKeysTheDecodersRead() throws {
        let all = Set(SpecDocument.CodingKeys.allCases.map(\.rawValue))
        #expect(try properties(schema("SpecUpdate")) == all)
        // POST refuses the read-only keys of an existing spec.
        #expect(try properties(schema("NewSpec")) == all.subtracting(["id", "created_at"]))
        #expect(try properties(schema("SpecVersion")) == Set(SpecResponse.CodingKeys.allCases.map(\.rawValue)))
        #expect(try properties(schema("Dependency")) == Set(Dependency.CodingKeys.allCases.map(\.rawValue)))
        #expect(try properties(schema("DependencyProperty")) == Set(DependencyProperty.CodingKeys.allCases.map(\.rawValue)))
        #expect(try properties(schema("Subnet")) == Set(Subnet.CodingKeys.allCases.map(\.rawValue)))
        #expect(try properties(property(schema("Subnet"), "dhcp")) == Set(DHCP.CodingKeys.allCases.map(\.rawValue)))
        #expect(try properties(property(schema("Network"), "parameters")) == Set(NetworkParameters.CodingKeys.allCases.map(\.rawValue)))
        #expect(try properties(schema("Capacity")) == Set(Capacity.CodingKeys.allCases.map(\.rawValue)))
    }

    @Test func theSizePatternMatchesExactlyWhatTheParserReads() throws {
        let pattern = OpenAPIDocument.sizePattern
        #expect(try schema("Size")["pattern"] as? String == pattern)
        let regex = try Self.regex(pattern)
        func matches(_ text: String) -> Bool {
            regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        let valid = ["10gb", "4GB", "512 mb", "512  Mb", "0b", " 1tb\n", "\u{2003}2kb", "007kb", "16777215tb", "0016777215tb",
                     "18446744073709551615b", "18014398509481983kb", "17592186044415mb", "17179869183gb"]
        let invalid = ["10", "1.5gb", "-1gb", "4zb", "gb", "", "4 g b", "4gb x", "16777216tb", "18446744073709551616b",
                       "18014398509481984kb", "17592186044416mb", "17179869184gb", "99999999999999999999tb", "\u{1C}4gb"]
        for text in valid {
            #expect(Size(text) != nil, "\(text)")
            #expect(matches(text), "\(text)")
        }
        for text in invalid {
            #expect(Size(text) == nil, "\(text)")
            #expect(!matches(text), "\(text)")
        }
    }

    @Test func theNamePatternMatchesExactlyTheNamesTheDecoderTakes() throws {
        #expect(try schema("ObjectName")["pattern"] as? String == OpenAPIDocument.namePattern)
        let regex = try Self.regex(OpenAPIDocument.namePattern)
        // Every scalar below U+3400 and a sample above, one at a time, against the rule itself.
        let samples = Array(UInt32(0)..<0x3400) + stride(from: UInt32(0x3400), through: 0x10FFFF, by: 97)
        for value in samples {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let name = "a" + String(Character(scalar))
            let matched = regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
            #expect(matched == (ObjectName.problem(name) == nil), "U+\(String(value, radix: 16))")
        }
        for name in ["web", "vlan_network", "Ünïcødé ネット", "🙂"] {
            #expect(regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil, "\(name)")
        }
    }

    @Test func wholeNumberPatternsStopAtTheirMaximum() throws {
        for max: UInt64 in [7, 10, 19, 100, 255, 16_777_215, UInt64.max] {
            let regex = try Self.regex("^" + OpenAPIDocument.wholeNumber(upTo: max) + "$")
            var samples: [UInt64] = Array(0...300) + [max / 2, max - 1, max]
            if max < UInt64.max { samples += [max + 1, max + 10, max &* 10] }
            for number in samples {
                let text = "0" + String(number)
                let matched = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
                #expect(matched == (number <= max), "\(number) against at most \(max)")
            }
        }
    }

    @Test func theExampleIsTheSeedsAndDecodes() throws {
        let seed = try map(try node("components", "examples", "SeedSpec")["value"], "the example's value")
        let json = try JSONSerialization.data(withJSONObject: seed, options: [.sortedKeys])
        let submitted = try map(try Yams.load(yaml: SeedDocuments.submittedSpec), "the seed's document")
        let expected = try JSONSerialization.data(withJSONObject: submitted, options: [.sortedKeys])
        #expect(json == expected)
        _ = try MessageCodec.decode(SpecDocument.self, from: json, format: .json)
    }

    /// What the HTTP layer can answer on each route, beside the route's own answers.
    @Test func everyOperationListsTheAnswersOfTheLayersItPassesThrough() throws {
        for (path, item) in try node("paths") {
            for (method, value) in try map(item, path) where method != "parameters" {
                let responses = Set(try map(try map(value, method)["responses"], "responses").keys)
                let label = "\(method.uppercased()) \(path)"
                #expect(responses.contains("401"), "\(label): the bearer token")
                guard path != "/api/openapi.yaml" else { continue }
                #expect(responses.isSuperset(of: ["400", "503"]), "\(label): parameters, the database guard")
                // A collection is never missing; a path naming one resource may be.
                if path.contains("{") {
                    #expect(responses.contains("404"), "\(label): a missing resource")
                }
                // Where a request carries a body (a drain's PUT carries none).
                if try map(value, method)["requestBody"] != nil {
                    #expect(responses.isSuperset(of: ["400", "413", "415", "422"]), "\(label): the body")
                }
            }
        }
    }
}
