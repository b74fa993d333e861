import Messages
import TestSupport
import Testing

@testable import API

/// A VM's `hostname`, `ssh_authorized_keys` and `user_data` as the API checks them: each problem
/// names its field and the limit, quotes neither user-data nor keys, and a masked `user_data`
/// sent back keeps the stored one, as `vnc_password` does.
@Suite struct GuestConfigurationValidationTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGV4VFf1TsgCpoy31/Jia/OUafbRdt9ipS4TW7KlWWh8 me@laptop"
    static let vmID = ObjectID("56410722-d507-472a-a800-c89211b7c261")!

    /// The seed's example with `fields` added to its VM (YAML lines, indented as VM fields).
    static func document(_ fields: String) -> String {
        SeedDocuments.submittedSpec.replacingOccurrences(of: "    vnc_password: hogehoge\n",
                                                         with: "    vnc_password: hogehoge\n" + fields)
    }

    @Test func theFieldsResolveAndTravelInTheSpecMessage() throws {
        let yaml = Self.document("""
                hostname: web-1
                ssh_authorized_keys:
                  - \(Self.key)
                user_data: |
                  #cloud-config
                  runcmd: [touch, /ok]

            """)
        let resolved = try SpecResolverTests.resolve(yaml).get()
        let vm = try #require(resolved.objects.first { $0.type == .vmKVM })
        #expect(vm.hostname == "web-1")
        #expect(vm.sshAuthorizedKeys == [Self.key])
        #expect(vm.userData == "#cloud-config\nruncmd: [touch, /ok]\n")
    }

    @Test func badValuesNameTheFieldAndTheLimit() throws {
        let tooMany = (0...SSHAuthorizedKey.maximumCount).map { _ in "      - \(Self.key)" }.joined(separator: "\n")
        let problems = try SpecResolverTests.problems(Self.document("""
                hostname: web_1
                ssh_authorized_keys:
            \(tooMany)
                user_data: "\(String(repeating: "x", count: UserData.maximumBytes + 1))"

            """))
        #expect(Set(problems.map(\.path)) == ["spec.web.hostname", "spec.web.ssh_authorized_keys", "spec.web.user_data"])
        #expect(problems.contains { $0.message.contains("at most 32") })
        #expect(problems.contains { $0.message.contains("16384 bytes") })
        #expect(problems.allSatisfy { !$0.message.contains("xxxx") && !$0.message.contains("AAAAC3") })

        let keyProblems = try SpecResolverTests.problems(Self.document("""
                ssh_authorized_keys:
                  - \(Self.key)
                  - "ssh-ed25519 AAAAC3NzaC1l truncated"

            """))
        #expect(keyProblems.map(\.path) == ["spec.web.ssh_authorized_keys[1]"])
    }

    @Test func aMaskedUserDataKeepsTheStoredOne() throws {
        let stored = Object(type: .vmKVM, id: Self.vmID, name: "web", desiredState: "running", arch: "amd64", vcpus: 2,
                            memory: Size(4, .gb), userData: "#!/bin/sh\necho secret\n")
        let context = ResolutionContext(existing: [Self.vmID: ExistingResource(object: stored, specID: 7)], specID: 7)
        let readBack = """
        version: 0
        spec:
          web:
            type: resource/vm/kvm
            id: 56410722-d507-472a-a800-c89211b7c261
            status: running
            name: web
            arch: amd64
            vcpus: 2
            memory: 4gb
            user_data: '********'
        """
        let resolved = try SpecResolverTests.resolve(readBack, context: context).get()
        #expect(resolved.objects.first?.userData == "#!/bin/sh\necho secret\n")
        #expect(resolved.keptSecrets == [Self.vmID])

        let fresh = readBack.replacingOccurrences(of: "    id: 56410722-d507-472a-a800-c89211b7c261\n", with: "")
        let problems = try SpecResolverTests.problems(fresh, context: context)
        #expect(problems.map(\.path) == ["spec.web.user_data"])
    }
}
