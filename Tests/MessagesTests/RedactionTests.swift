import TestSupport
import Testing
@testable import Messages

/// `vnc_password` never reaches a log line, however the object is printed.
@Suite struct RedactionTests {
    let request: RequestMessage

    init() throws {
        request = try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestVM, format: .yaml)
    }

    @Test func objectDescriptions() {
        let vm = request.object
        #expect(vm.vncPassword == "hogehoge")
        #expect(!"\(vm)".contains("hogehoge"))
        #expect(!String(reflecting: vm).contains("hogehoge"))
        #expect(!String(describing: [vm]).contains("hogehoge"))
        var dumped = ""
        dump(vm, to: &dumped)
        #expect(!dumped.contains("hogehoge"))
        #expect("\(vm)".contains("vnc_password: ********"))
        #expect("\(vm)".contains("id: 56410722-d507-472a-a800-c89211b7c261"))
    }

    @Test func enclosingMessages() throws {
        #expect(!"\(request)".contains("hogehoge"))
        #expect(!String(reflecting: request).contains("hogehoge"))
        let notify = try MessageCodec.decode(NotifyMessage.self, from: SeedDocuments.notifyVM, format: .yaml)
        #expect(!"\(notify)".contains("hogehoge"))
        let document = try MessageCodec.decode(SpecDocument.self, from: SeedDocuments.submittedSpec, format: .yaml)
        #expect(!"\(document)".contains("hogehoge"))
        var dumped = ""
        dump(document, to: &dumped)
        #expect(!dumped.contains("hogehoge"))
    }

    @Test func redactedCopy() {
        let wrapper = Object(type: .vmKVM, vncPassword: "outer", dependencies: [
            Dependency(object: request.object, property: DependencyProperty(relation: Relation.vmAttachments)),
        ])
        let redacted = wrapper.redacted()
        #expect(redacted.vncPassword == Object.passwordMask)
        #expect(redacted.dependencies?[0].object.vncPassword == "********")
        let yaml = MessageCodec.encodeString(redacted, format: .yaml)
        #expect(!yaml.contains("hogehoge") && !yaml.contains("outer"))
        // Nothing else changes, and objects without a password gain none.
        #expect(redacted.allObjects.count == wrapper.allObjects.count)
        #expect(redacted.allObjects.filter { $0.vncPassword != nil }.count == 2)
    }

    /// The password still travels on the wire: only logs are masked.
    @Test func wireKeepsPassword() {
        #expect(MessageCodec.encodeString(request, format: .json).contains("hogehoge"))
    }
}
