import TestSupport
import Foundation
import Testing
@testable import Messages

/// A broken document and what must be said about it.
struct Malformed: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let format: WireFormat
    let path: String
    let fragment: String

    var testDescription: String { name }

    /// The seed's submitted spec with one edit; traps if `original` is not in it, so a case can
    /// never silently test the unedited document.
    static func editingSpec(_ name: String, replacing original: String, with replacement: String,
                            in document: String = SeedDocuments.submittedSpec,
                            path: String, fragment: String) -> Malformed {
        precondition(document.contains(original), "\(name): '\(original)' not in the document")
        let text = document.replacingOccurrences(of: original, with: replacement)
        return Malformed(name: name, text: text, format: .yaml, path: path, fragment: fragment)
    }
}

@Suite struct MalformedDocumentTests {
    static let specCases: [Malformed] = [
        .editingSpec("size with an unknown unit", replacing: "size: 10gb", with: "size: 4zb",
                     path: "spec.web.dependencies[1].object.size",
                     fragment: "size '4zb': unknown unit 'zb'; expected b, kb, mb, gb or tb"),
        .editingSpec("unknown type", replacing: "type: resource/vm/kvm", with: "type: resource/vm/xen",
                     path: "spec.web.type", fragment: "unknown type 'resource/vm/xen'; expected one of resource/vm/kvm"),
        .editingSpec("unknown key", replacing: "    arch: amd64", with: "    arch: amd64\n    colour: red",
                     path: "spec.web.colour", fragment: "unknown key 'colour'"),
        .editingSpec("vcpus not a number", replacing: "vcpus: 2", with: "vcpus: \"two\"",
                     path: "spec.web.vcpus", fragment: "expected an integer"),
        .editingSpec("both relatioins and dependencies",
                     replacing: "          relatioins:",
                     with: "          dependencies: []\n          relatioins:",
                     path: "spec.web.dependencies[0].object.relatioins",
                     fragment: "both 'dependencies' and its misspelling 'relatioins'"),
        .editingSpec("bad UUID", replacing: "    arch: amd64", with: "    id: 56410722-nope\n    arch: amd64",
                     path: "spec.web.id", fragment: "invalid id '56410722-nope'"),
        .editingSpec("status not allowed for the type", replacing: "    arch: amd64", with: "    status: attached\n    arch: amd64",
                     path: "spec.web.status",
                     fragment: "status 'attached' is not allowed for resource/vm/kvm; expected running, poweroff, saved or deleted"),
        .editingSpec("misspelt boot priority key",
                     replacing: "n0stack/n0core/vm/boot_prority: 1", with: "n0stack/n0core/vm/boot_priorty: 1",
                     path: "spec.web.dependencies[1].property.n0stack/n0core/vm/boot_priorty",
                     fragment: "unknown key 'n0stack/n0core/vm/boot_priorty'"),
        .editingSpec("boot priority not a number",
                     replacing: "n0stack/n0core/vm/boot_prority: 1", with: "n0stack/n0core/vm/boot_prority: first",
                     path: "spec.web.dependencies[1].property.n0stack/n0core/vm/boot_prority",
                     fragment: "expected an integer"),
        .editingSpec("field of another type", replacing: "    vcpus: 2", with: "    vcpus: 2\n    size: 10gb",
                     path: "spec.web.size", fragment: "'size' does not belong to resource/vm/kvm"),
        .editingSpec("vcpus on a volume", replacing: "      size: 10gb", with: "      size: 10gb\n          vcpus: 2",
                     path: "spec.web.dependencies[1].object.vcpus",
                     fragment: "'vcpus' does not belong to resource/volume/file"),
        .editingSpec("variable reference with more", replacing: "variable: var_network",
                     with: "variable: var_network\n                name: other",
                     path: "spec.web.dependencies[0].object.relatioins[0].object.name",
                     fragment: "a variable reference carries only 'variable'"),
        .editingSpec("dependency without relation", replacing: "          r: n0stack/n0core/vm/attachments\n          n0stack",
                     with: "          n0stack",
                     path: "spec.web.dependencies[1].property.r", fragment: "missing required key 'r'"),
        .editingSpec("object without type", replacing: "    type: resource/network/vlan\n", with: "",
                     path: "spec.var_network",
                     fragment: "an object needs a 'type', or is a reference by 'id' or 'variable'"),
        .editingSpec("unknown subnet key", replacing: "gateway: 192.168.0.254", with: "gw: 192.168.0.254",
                     path: "spec.var_network.subnets[0].dhcp.gw",
                     fragment: "unknown key 'gw'; expected range, nameservers or gateway"),
        .editingSpec("dependencies not a list", replacing: "      vlan_id: 100", with: "      vlan_id: 100\n    dependencies: none",
                     path: "spec.var_network.dependencies", fragment: "expected a list"),
        .editingSpec("unknown top-level key", replacing: "version: 0", with: "verison: 0",
                     path: "verison", fragment: "unknown key 'verison'; expected version, annotations, spec, id or created_at"),
        Malformed(name: "not YAML at all", text: "spec: [web,\n  type: {resource/vm/kvm\n", format: .yaml,
                  path: "", fragment: "not valid YAML: line"),
        Malformed(name: "a scalar, not a document", text: "hello", format: .yaml,
                  path: "", fragment: "expected a mapping"),
        Malformed(name: "empty document", text: "  \n", format: .yaml,
                  path: "", fragment: "the document is empty"),
        Malformed(name: "not JSON", text: #"{"spec": {"#, format: .json,
                  path: "", fragment: "not valid JSON"),
        Malformed(name: "JSON with a number for a size",
                  text: #"{"spec": {"v": {"type": "resource/volume/file", "size": 10}}}"#, format: .json,
                  path: "spec.v.size", fragment: "expected a size such as '10gb'"),
    ]

    @Test(arguments: specCases)
    func specDocumentIsRejected(_ testCase: Malformed) {
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(SpecDocument.self, from: testCase.text, format: testCase.format)
        }
        guard let problem = error?.problems.first else { return }
        #expect(error?.problems.count == 1, "\(error!)")
        #expect(problem.path == testCase.path, "\(error!)")
        #expect(problem.message.contains(testCase.fragment), "\(error!)")
    }

    @Test func unknownNotifyLevel() {
        let text = SeedDocuments.notifyVolume.replacingOccurrences(of: "level: SUCCESS", with: "level: OK")
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(NotifyMessage.self, from: text, format: .yaml)
        }
        #expect(error?.problems == [FieldProblem(path: "level",
                                                 message: "unknown level 'OK'; expected SUCCESS, ERROR, INFO or WARNING")])
    }

    @Test func requestWithoutObject() {
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(RequestMessage.self, from: "spec_id: 1\ndepended_by:\n", format: .yaml)
        }
        #expect(error?.problems.map(\.path) == ["object"])
        #expect(error?.description == "object: missing required key 'object'")
    }

    @Test func agentStateNotAllowed() {
        let text = SeedDocuments.notifyVolume.replacingOccurrences(of: "state: alived", with: "state: running")
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(NotifyMessage.self, from: text, format: .yaml)
        }
        #expect(error?.problems.map(\.path) == ["object.dependencies[0].object.state"])
    }

    /// Everything wrong in one object is reported at once, each at its own place.
    @Test func severalProblemsAtOnce() {
        let text = SeedDocuments.submittedSpec
            .replacingOccurrences(of: "size: 10gb", with: "size: -1gb")
            .replacingOccurrences(of: "vcpus: 2", with: "vcpus: two\n    colour: red")
            .replacingOccurrences(of: "vlan_id: 100", with: "vlan: 100")
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(SpecDocument.self, from: text, format: .yaml)
        }
        #expect(Set(error?.problems.map(\.path) ?? []) == [
            "spec.web.colour",
            "spec.web.vcpus",
            "spec.web.dependencies[1].object.size",
            "spec.var_network.parameters.vlan",
        ])
        #expect(error?.description.contains("spec.web.dependencies[1].object.size: size '-1gb': must not be negative") == true)
    }

    /// Both spellings of the boot priority key at once are refused.
    @Test func bothBootPriorityKeys() {
        let text = SeedDocuments.submittedSpec.replacingOccurrences(
            of: "n0stack/n0core/vm/boot_prority: 1",
            with: "n0stack/n0core/vm/boot_prority: 1\n          n0stack/n0core/vm/boot_priority: 2")
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(SpecDocument.self, from: text, format: .yaml)
        }
        #expect(error?.problems.first?.path == "spec.web.dependencies[1].property.n0stack/n0core/vm/boot_prority")
    }

    @Test func duplicateKeys() {
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(SpecDocument.self, from: "spec:\n  a: {type: resource/nic}\n  a: {type: resource/nic}\n",
                                    format: .yaml)
        }
        #expect(error?.description.contains("duplicate key 'a'") == true)
    }
}
