import Foundation
import Testing
@testable import Messages

/// A VM's `hostname`, `ssh_authorized_keys` and `user_data`: what each accepts, and that the
/// user-data and the keys' contents never reach a log line.
@Suite struct GuestConfigurationTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGV4VFf1TsgCpoy31/Jia/OUafbRdt9ipS4TW7KlWWh8 me@laptop"

    @Test(arguments: ["web", "web-1", "web-1.example.org", "a", String(repeating: "a", count: 63), "X9"])
    func hostNamesAccepted(_ name: String) {
        #expect(HostName.problem(name) == nil)
    }

    @Test(arguments: [
        ("", "must not be empty"), (String(repeating: "a", count: 64), "at most 63"),
        ("web_1", "may hold only"), ("web 1", "may hold only"), ("wéb", "may hold only"),
        ("-web", "starts or ends with '-'"), ("web-", "starts or ends with '-'"), ("web..org", "empty label"),
        (".web", "empty label"), ("web\nhostname: evil", "may hold only"), ("\"web\"", "may hold only"),
    ])
    func hostNamesRefused(_ name: String, _ phrase: String) throws {
        let problem = try #require(HostName.problem(name))
        #expect(problem.contains(phrase))
    }

    @Test func hostNamesDerivedFromObjectNames() {
        #expect(HostName.derived(from: "web") == "web")
        #expect(HostName.derived(from: "My VM_1") == "my-vm-1")
        #expect(HostName.derived(from: "--a..b--") == "a-b")
        #expect(HostName.derived(from: "ウェブ") == nil)
        #expect(HostName.derived(from: String(repeating: "ab-", count: 40))?.count ?? 0 <= HostName.maximumLength)
        #expect(HostName.derived(from: String(repeating: "ab-", count: 40)).map { HostName.problem($0) } == .some(nil))
    }

    @Test func keysAccepted() throws {
        #expect(SSHAuthorizedKey.problem(Self.key) == nil)
        #expect(SSHAuthorizedKey.problem(String(Self.key.dropLast(" me@laptop".count))) == nil, "no comment")
    }

    @Test(arguments: [
        ("", "is empty"),
        ("not a key", "does not start with a key type"),
        ("command=\"rm -rf /\" " + key, "does not start with a key type"),
        ("ssh-ed25519", "does not start with a key type"),
        ("ssh-ed25519 AAAA*C3Nz", "not base64"),
        ("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIGV4VFf1TsgCpoy31/Jia/OUafbRdt9ipS4TW7KlWWh8", "not a ssh-rsa key"),
        ("ssh-ed25519 AAAAC3NzaC1l", "not a ssh-ed25519 key"),
        (key + "\nssh-ed25519 AAAA", "one line"),
        (key + " \"quoted\"", "quote or backslash"),
        ("ssh-ed25519 " + String(repeating: "A", count: 9000), "at most 8192"),
    ])
    func keysRefused(_ line: String, _ phrase: String) throws {
        let problem = try #require(SSHAuthorizedKey.problem(line))
        #expect(problem.contains(phrase), "\(problem)")
        #expect(!problem.contains("AAAAC3"), "the key is not quoted back")
    }

    @Test func userDataBounds() throws {
        #expect(UserData.problem("#cloud-config\nruncmd: [touch, /x]\n") == nil)
        #expect(UserData.problem(String(repeating: "a", count: UserData.maximumBytes)) == nil)
        let tooLong = try #require(UserData.problem(String(repeating: "a", count: UserData.maximumBytes + 1)))
        #expect(tooLong.contains("16384 bytes (16 KiB)"))
        #expect(UserData.problem("") != nil)
        #expect(UserData.problem("a\u{0}b") != nil)
    }

    @Test func onlyVMsCarryTheFields() throws {
        let vm = try MessageCodec.decode(Object.self, from: Data("""
            type: resource/vm/kvm
            vcpus: 1
            memory: 256mb
            hostname: web-1
            ssh_authorized_keys: ["\(Self.key)"]
            user_data: "#!/bin/sh\\necho hi\\n"
            """.utf8), format: .yaml)
        #expect(vm.hostname == "web-1")
        #expect(vm.sshAuthorizedKeys == [Self.key])
        #expect(vm.userData == "#!/bin/sh\necho hi\n")
        let json = MessageCodec.encodeString(vm, format: .json)
        #expect(json.contains("\"user_data\"") && json.contains("\"ssh_authorized_keys\"") && json.contains("\"hostname\""))

        for key in ["hostname: a", "user_data: x", "ssh_authorized_keys: []"] {
            #expect(throws: DocumentError.self) {
                try MessageCodec.decode(Object.self, from: Data("type: resource/volume/file\nsize: 1gb\n\(key)\n".utf8),
                                        format: .yaml)
            }
        }
        #expect(throws: DocumentError.self) {
            try MessageCodec.decode(Object.self, from: Data("type: resource/vm/kvm\nssh_authorized_keys: one\n".utf8),
                                    format: .yaml)
        }
    }

    @Test func userDataAndKeysStayOutOfDescriptions() {
        let secret = "#cloud-config\npassword: hunter2\n"
        let vm = Object(type: .vmKVM, id: ObjectID(), hostname: "web-1", sshAuthorizedKeys: [Self.key], userData: secret)
        for text in ["\(vm)", String(reflecting: vm), String(describing: [vm])] {
            #expect(!text.contains("hunter2") && !text.contains("AAAAC3"))
        }
        var dumped = ""
        dump(vm, to: &dumped)
        #expect(!dumped.contains("hunter2") && !dumped.contains("AAAAC3"))
        #expect("\(vm)".contains("user_data: ********") && "\(vm)".contains("ssh_authorized_keys: 1 key"))
        #expect("\(vm)".contains("hostname: web-1"))

        let redacted = vm.redacted()
        #expect(redacted.userData == Object.passwordMask)
        #expect(redacted.sshAuthorizedKeys == [Self.key], "public keys are not secrets; only logs leave them out")
        #expect(Object(type: .vmKVM).redacted().userData == nil, "no user-data gains none")
    }
}
