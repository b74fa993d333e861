import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Store
import Testing
import TestSupport

@testable import API

/// No user names a file or an interface of a host: `source`, `kernel` and `initrd` are names in
/// a hypervisor's images directory, and the fields agents fill in (`url`, `bridge`) can only be
/// sent back as stored. Each refusal names its field and changes nothing.
@Suite struct HostPathResolutionTests {
    /// The seed's example with a `source` on its volume and a kernel and initrd on its VM.
    static func document(source: String = "debian.qcow2", kernel: String = "vmlinuz", initrd: String = "initrd.img") -> String {
        SeedDocuments.submittedSpec
            .replacingOccurrences(of: "          size: 10gb\n", with: "          size: 10gb\n          source: \(yaml(source))\n")
            .replacingOccurrences(of: "    vnc_password: hogehoge\n",
                                  with: "    vnc_password: hogehoge\n    kernel: \(yaml(kernel))\n    initrd: \(yaml(initrd))\n")
    }

    /// A YAML double-quoted scalar (escapes for control characters).
    static func yaml(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: quoted += String(format: "\\x%02x", scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    static let volumePath = "spec.web.dependencies[1].object"

    @Test func imageNamesAreAccepted() throws {
        let resolved = try SpecResolverTests.resolve(Self.document(source: "debian/12.qcow2", kernel: "debian/vmlinuz")).get()
        #expect(resolved.objects.first { $0.type == .volumeFile }?.source == "debian/12.qcow2")
        #expect(resolved.objects.first { $0.type == .vmKVM }?.kernel == "debian/vmlinuz")
    }

    @Test(arguments: [
        ("file:///etc/shadow", "is a URL"),
        ("file://host/etc/shadow", "is a URL"),
        ("http://169.254.169.254/latest", "is a URL"),
        ("/etc/shadow", "is an absolute path"),
        ("/var/lib/n0core/volumes/d99163ed-0093-40a0-a61b-365a1aece509", "is an absolute path"),
        ("../volumes/d99163ed-0093-40a0-a61b-365a1aece509", "'..' part"),
        ("images/../../etc/shadow", "'..' part"),
        ("debian\u{0}.qcow2", "control characters"),
        ("debian\u{1b}[2J.qcow2", "control characters"),
        ("debian .qcow2", "may hold only"),
    ])
    func hostPathsInEveryPathFieldAreRefusedNamingTheField(_ value: String, _ reason: String) throws {
        for (field, document) in [
            ("\(Self.volumePath).source", Self.document(source: value)),
            ("spec.web.kernel", Self.document(kernel: value)),
            ("spec.web.initrd", Self.document(initrd: value)),
        ] {
            let problems = try SpecResolverTests.problems(document)
            #expect(problems.map(\.path) == [field], "\(value.debugDescription) in \(field): \(problems)")
            #expect(problems.first?.message.contains(reason) == true, "\(problems)")
            #expect(problems.first?.message.contains("images directory") == true)
        }
    }

    @Test func aCommandLineIsOneLine() throws {
        let yaml = Self.document().replacingOccurrences(of: "    kernel: ", with: "    cmdline: \"console=ttyS0\\ninit=/bin/sh\"\n    kernel: ")
        #expect(try SpecResolverTests.problems(yaml).map(\.path) == ["spec.web.cmdline"])
    }

    /// A volume's `url` and a network's `bridge` are set by agents. A new object cannot have
    /// them; an existing one may carry them back only as stored (a read sent back), never
    /// changed: a changed `url` would attach a host file as the VM's disk.
    @Test func fieldsAgentsSetCanOnlyBeSentBackAsStored() throws {
        let volumeID = ObjectID("d99163ed-0093-40a0-a61b-365a1aece509")!
        let networkID = ObjectID("0f97b5a3-bff2-4f13-9361-9f9b4fab3d65")!
        let stored = Object(type: .volumeFile, id: volumeID, name: "disk", desiredState: "allocated", size: Size(10, .gb),
                            url: "file:///var/lib/n0core/volumes/\(volumeID)")
        let network = Object(type: .networkVLAN, id: networkID, name: "net", desiredState: "applied", bridge: "br-0f97b5a3bff2",
                             subnets: [Subnet(cidr: "192.168.0.0/24")])
        let context = ResolutionContext(existing: [volumeID: ExistingResource(object: stored, specID: 7),
                                                   networkID: ExistingResource(object: network, specID: 7)], specID: 7)
        func document(url: String?, bridge: String?) -> String {
            var text = "version: 0\nspec:\n  disk:\n    type: resource/volume/file\n    id: \(volumeID)\n    size: 10gb\n"
            if let url { text += "    url: \(url)\n" }
            text += "  net:\n    type: resource/network/vlan\n    id: \(networkID)\n    subnets: [{cidr: 192.168.0.0/24}]\n"
            if let bridge { text += "    bridge: \(bridge)\n" }
            return text
        }
        let asRead = try SpecResolverTests.resolve(document(url: stored.url, bridge: network.bridge), context: context).get()
        #expect(asRead.objects.first { $0.id == volumeID }?.url == stored.url)
        #expect(try SpecResolverTests.problems(document(url: nil, bridge: nil), context: context).isEmpty)

        let changed = try SpecResolverTests.problems(document(url: "file:///etc/shadow", bridge: "eth0"), context: context)
        #expect(changed.map(\.path) == ["spec.disk.url", "spec.net.bridge"])
        #expect(changed.first?.message.contains("is set by the volumer and cannot be changed") == true, "\(changed)")
        #expect(!changed.contains { $0.message.contains("/etc/shadow") })

        // Not applied yet: nothing stored, so nothing to send back.
        var pending = context
        pending.existing[volumeID]?.object.url = nil
        #expect(try SpecResolverTests.problems(document(url: stored.url, bridge: nil), context: pending).map(\.path) == ["spec.disk.url"])
        // A new volume cannot have one at all.
        let fresh = try SpecResolverTests.problems(Self.document().replacingOccurrences(
            of: "          size: 10gb\n", with: "          size: 10gb\n          url: file:///etc/shadow\n"))
        #expect(fresh.map(\.path) == ["\(Self.volumePath).url"])
        #expect(fresh.first?.message == "is set by the volumer; leave it out")
    }
}

/// The same refusals through HTTP: 422 with the field's path, nothing stored or published; and
/// a version read back with the volume's stored `url` is still accepted.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct HostPathAPITests {
    @Test func hostPathsAreRefusedAndNothingChanges() async throws {
        try await APIHarness.run { api in
            let cases: [(String, String)] = [
                (HostPathResolutionTests.document(source: "file:///etc/shadow"), "\(HostPathResolutionTests.volumePath).source"),
                (HostPathResolutionTests.document(kernel: "file:///etc/shadow"), "spec.web.kernel"),
                (HostPathResolutionTests.document(initrd: "/etc/shadow"), "spec.web.initrd"),
                (HostPathResolutionTests.document(source: "../../etc/shadow"), "\(HostPathResolutionTests.volumePath).source"),
            ]
            for (body, path) in cases {
                let response = try await api.send(.post, "/api/spec", body: body, accept: "application/json")
                #expect(response.status == .unprocessableContent, "\(String(buffer: response.body))")
                let answer = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                let problems = (answer["problems"] as? [[String: String]]) ?? []
                #expect(problems.map { $0["path"] } == [path], "\(problems)")
                for table in ["specs", "spec_versions", "nodes", "edges", "events", "outbox"] {
                    #expect(try await IntegrationEnvironment.count(table, in: api.store) == 0, "\(path): \(table) changed")
                }
            }
            try await Task.sleep(for: .seconds(1))
            #expect(api.published.all.isEmpty)
        }
    }

    @Test func aStoredURLSentBackIsAcceptedAndAChangedOneRefused() async throws {
        try await APIHarness.run { api in
            let created = try await RoundTripTests.create(api)
            let volumeID = try #require(created.spec["web"]?.dependencies?[1].object.id)
            // What the conductor records from the volumer's Notify.
            let url = "file:///var/lib/n0core/volumes/\(volumeID)"
            var node = try #require(try await api.store.node(volumeID.uuid))
            var object = try MessageCodec.decode(Object.self, from: node.object, format: .json)
            object.url = url
            node.object = MessageCodec.encodeString(object, format: .json)
            try await api.store.withTransaction { tx in try await tx.upsertNodes([node]) }

            /// A version as read (its text untouched but for the volume), with `url` on the volume.
            func readBack(_ version: Int, url: String) async throws -> String {
                let read = try await api.send(.get, "/api/spec/\(created.id)/versions/\(version)", accept: "application/json")
                var document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: read.body)) as? [String: Any])
                var spec = try #require(document["spec"] as? [String: Any])
                var web = try #require(spec["web"] as? [String: Any])
                var dependencies = try #require(web["dependencies"] as? [[String: Any]])
                var volume = try #require(dependencies[1]["object"] as? [String: Any])
                #expect(volume["id"] as? String == volumeID.description)
                volume["url"] = url
                dependencies[1]["object"] = volume
                web["dependencies"] = dependencies
                spec["web"] = web
                document["spec"] = spec
                return String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
            }
            let accepted = try await api.send(.put, "/api/spec/\(created.id)", body: try await readBack(0, url: url),
                                              contentType: "application/json", accept: "application/json")
            #expect(accepted.status == .ok, "\(String(buffer: accepted.body))")

            let refused = try await api.send(.put, "/api/spec/\(created.id)", body: try await readBack(1, url: "file:///etc/shadow"),
                                             contentType: "application/json", accept: "application/json")
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("\"path\":\"spec.web.dependencies[1].object.url\""),
                    "\(String(buffer: refused.body))")
            #expect(try await api.store.spec(created.id)?.latestVersion == 1, "nothing was stored")
            let stored = try MessageCodec.decode(Object.self, from: try #require(try await api.store.node(volumeID.uuid)).object,
                                                 format: .json)
            #expect(stored.url == url)
        }
    }
}
