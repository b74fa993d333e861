import Foundation
import Testing
import TestSupport

@testable import Messages

/// Numbers past what a field can hold, forged capacities, and names with control characters are
/// refused when decoded, each naming its field and the bound.
@Suite struct ValueBoundsTests {
    func problems<T: Decodable>(_ type: T.Type, _ text: String, _ format: WireFormat) -> [FieldProblem] {
        do {
            _ = try MessageCodec.decode(type, from: Data(text.utf8), format: format, limits: .message)
            return []
        } catch {
            return error.problems
        }
    }

    static let agentID = "8451da31-5e3a-4c46-aa3a-2a557382a6cd"

    func heartbeat(vcpus: String = "4", memory: String = "\"8gb\"", interval: String = "10") -> String {
        #"{"type": "agent/compute/kvm", "id": "\#(Self.agentID)", "host_id": "\#(Self.agentID)", "state": "alived", "#
            + #""capacity": {"vcpus": \#(vcpus), "memory": \#(memory)}, "interval_seconds": \#(interval), "sent_at": "2024-01-01T00:00:00Z"}"#
    }

    @Test func aSaneHeartbeatDecodes() throws {
        let decoded = try MessageCodec.decodeWire(HeartbeatMessage.self, from: Data(heartbeat().utf8))
        #expect(decoded.agent.capacity == Capacity(vcpus: 4, memory: Size(8, .gb)))
    }

    @Test(arguments: [
        ("-9223372036854775808", "\"8gb\"", "10", "capacity.vcpus", "-9223372036854775808 is out of bounds; expected 0 to 65536"),
        ("9223372036854775807", "\"8gb\"", "10", "capacity.vcpus", "is out of bounds; expected 0 to 65536"),
        ("4", "\"16777215tb\"", "10", "capacity.memory", "16777215tb is out of bounds; expected 0b to 65536tb"),
        ("4", "\"8gb\"", "9223372036854775807", "interval_seconds", "is out of bounds; expected 1 to 3600 seconds"),
        ("4", "\"8gb\"", "0", "interval_seconds", "0 is out of bounds; expected 1 to 3600 seconds"),
    ])
    func aForgedHeartbeatIsRefused(vcpus: String, memory: String, interval: String, path: String, message: String) {
        let found = problems(HeartbeatMessage.self, heartbeat(vcpus: vcpus, memory: memory, interval: interval), .json)
        #expect(found.contains { $0.path == path && $0.message.contains(message) }, "\(found)")
    }

    @Test func aNumberTooLargeForItsFieldSaysSo() {
        let yaml = HostileDocuments.seed(replacing: "vcpus: 2", with: "vcpus: 99999999999999999999")
        let found = problems(SpecDocument.self, yaml, .yaml)
        #expect(found == [FieldProblem(path: "spec.web.vcpus", message: "99999999999999999999 is out of range: expected a whole "
                                        + "number from -9223372036854775808 to 9223372036854775807")], "\(found)")
        let json = #"{"spec": {"web": {"type": "resource/vm/kvm", "vcpus": 99999999999999999999}}}"#
        let inJSON = problems(SpecDocument.self, json, .json)
        #expect(inJSON.contains { $0.path == "spec.web.vcpus" && $0.message.contains("out of range") }, "\(inJSON)")
    }

    @Test(arguments: ["memory: 99999999999tb", "memory: 18446744073709551616b"])
    func aSizeThatOverflowsSaysSo(memory: String) {
        let found = problems(SpecDocument.self, HostileDocuments.seed(replacing: "memory: 4gb", with: memory), .yaml)
        #expect(found.count == 1 && found[0].path == "spec.web.memory" && found[0].message.contains("too large; a size is at most"),
                "\(found)")
    }

    @Test(arguments: [
        ("web\u{1B}[31mred", "U+001B (a control character)"),
        ("two\nlines", "U+000A (a control character)"),
        ("nul\u{0}", "U+0000 (a control character)"),
        ("evil\u{202E}txt.exe", "U+202E (an invisible formatting character)"),
        ("zero\u{200B}width", "U+200B (an invisible formatting character)"),
        ("sep\u{2028}arated", "U+2028 (a line or paragraph separator)"),
        ("private\u{E000}", "U+E000 (a private-use character)"),
    ])
    func namesWithControlOrInvisibleCharactersAreRefused(name: String, what: String) throws {
        let quoted = String(data: try JSONEncoder().encode(name), encoding: .utf8)!
        let json = #"{"spec": {"web": {"type": "resource/nic", "name": \#(quoted)}}}"#
        let found = problems(SpecDocument.self, json, .json)
        #expect(found.contains { $0.path == "spec.web.name" && $0.message.hasPrefix("contains \(what)") }, "\(found)")
        // As a variable name (which becomes the object's name), too.
        let variable = #"{"spec": {\#(quoted): {"type": "resource/nic"}}}"#
        #expect(problems(SpecDocument.self, variable, .json).contains { $0.message.contains(what) })
    }

    @Test func emptyAndOverlongNamesAreRefused() {
        let empty = problems(SpecDocument.self, #"{"spec": {"web": {"type": "resource/nic", "name": ""}}}"#, .json)
        #expect(empty == [FieldProblem(path: "spec.web.name", message: "a name must not be empty")])
        let long = String(repeating: "é", count: 128)
        let overlong = problems(SpecDocument.self, #"{"spec": {"web": {"type": "resource/nic", "name": "\#(long)"}}}"#, .json)
        #expect(overlong == [FieldProblem(path: "spec.web.name", message: "a name is at most 255 bytes (UTF-8); this one is 256")])
    }

    @Test(arguments: ["ウェブサーバー", "café ☕", "web-01 (staging)", "Ωmega_β", "名前 with spaces"])
    func namesInAnyScriptAreAccepted(name: String) throws {
        let json = #"{"spec": {"web": {"type": "resource/nic", "name": "\#(name)"}}}"#
        let document = try MessageCodec.decode(SpecDocument.self, from: Data(json.utf8), format: .json, limits: .document)
        #expect(document.spec["web"]?.name == name)
        #expect(ObjectName.problem(name) == nil)
    }
}
