import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Store
import Testing
import TestSupport

@testable import API

/// `resource/image` through the API: its rules (422 naming the field), and an image that volumes
/// are made from cannot be deleted (409 naming them; nothing stored or published).
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct ImageAPITests {
    static let checksum = "sha256:" + String(repeating: "5e", count: 32)
    static let imageSpec = """
        spec:
          debian:
            type: resource/image
            source: https://images.example.org/debian-12.qcow2
            format: qcow2
            checksum: \(checksum)
        """

    static func volumeSpec(image: ObjectID) -> String {
        """
        spec:
          disk:
            type: resource/volume/file
            size: 10gb
            dependencies:
              - object: {id: \(image)}
                property: {r: n0stack/n0core/volume/image}
        """
    }

    func create(_ api: APIHarness, _ yaml: String) async throws -> SpecResponse {
        let response = try await api.send(.post, "/api/spec", body: yaml)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try MessageCodec.decode(SpecResponse.self, from: String(buffer: response.body), format: .yaml)
    }

    @Test func anImageInUseCannotBeDeletedAndTheAnswerNamesTheVolumes() async throws {
        try await APIHarness.run { api in
            let images = try await create(api, Self.imageSpec)
            let imageID = try #require(images.spec["debian"]?.id)
            let volumes = try await create(api, Self.volumeSpec(image: imageID))
            let volumeID = try #require(volumes.spec["disk"]?.id)
            _ = try await api.published.forSpec(images.id)

            // DELETE of the image's spec: 409 naming the volume and its spec.
            let refused = try await api.send(.delete, "/api/spec/\(images.id)", accept: "application/json")
            #expect(refused.status == .conflict)
            let message = String(buffer: refused.body)
            #expect(message.contains("image 'debian' \(imageID) is in use by volume 'disk' \(volumeID) of spec \(volumes.id)"), "\(message)")
            #expect(message.contains("delete those volumes (or their specs) first"))
            // PUT that drives the image to deleted, or leaves it out: refused the same way.
            var document = SpecDocument(version: 0, annotations: images.annotations, spec: images.spec)
            document.spec["debian"]?.desiredState = "deleted"
            let put = try await api.send(.put, "/api/spec/\(images.id)", body: MessageCodec.encodeString(document, format: .yaml))
            #expect(put.status == .conflict)
            let emptied = """
                version: 0
                spec:
                  other:
                    type: resource/network/vlan
                    subnets: [{cidr: 10.0.0.0/24}]
                """
            #expect(try await api.send(.put, "/api/spec/\(images.id)", body: emptied).status == .conflict)
            // Nothing was stored or published for the refused requests.
            #expect(try await api.store.spec(images.id)?.latestVersion == 0)
            try await Task.sleep(for: .milliseconds(300))
            // Distinct message ids: delivery is at-least-once, a copy may arrive twice under load.
            #expect(Set(api.published.all.filter { $0.properties.correlationID == String(images.id) }
                .map(\.properties.messageID)).count == 1)
            #expect(try await api.store.node(imageID.uuid)?.desiredState == "available")

            // Once the volume's spec is deleted, the image's spec is.
            #expect(try await api.send(.delete, "/api/spec/\(volumes.id)").status == .accepted)
            #expect(try await api.send(.delete, "/api/spec/\(images.id)").status == .accepted)
            #expect(try await api.store.node(imageID.uuid)?.desiredState == "deleted")

            // A volume cannot be made from a deleted image.
            let late = try await api.send(.post, "/api/spec", body: Self.volumeSpec(image: imageID), accept: "application/json")
            #expect(late.status == .unprocessableContent)
            #expect(String(buffer: late.body).contains("image \(imageID) is deleted"))
        }
    }

    @Test func aSpecWithAnImageAndItsVolumesIsDeletedWhole() async throws {
        try await APIHarness.run { api in
            let yaml = Self.imageSpec + """

                  disk:
                    type: resource/volume/file
                    size: 10gb
                    dependencies:
                      - object: {variable: debian}
                        property: {r: n0stack/n0core/volume/image}
                """
            let created = try await create(api, yaml)
            let message = try await api.published.forSpec(created.id)
            let spec = try MessageCodec.decode(SpecMessage.self, from: Data(try #require(message.first).body), format: .json)
            let volume = try #require(spec.spec.first { $0.type == .volumeFile })
            #expect(volume.dependencies?.map(\.property.relation) == [Relation.volumeImage])
            #expect(volume.dependencies?.first?.object.id == created.spec["debian"]?.id)
            #expect(try await api.send(.delete, "/api/spec/\(created.id)").status == .accepted)
        }
    }

    @Test func aVolumeNamesItsImageByName() async throws {
        try await APIHarness.run { api in
            let images = try await create(api, Self.imageSpec)
            let imageID = try #require(images.spec["debian"]?.id)
            let byName = """
                spec:
                  disk:
                    type: resource/volume/file
                    size: 10gb
                    dependencies:
                      - object: {name: debian}
                        property: {r: n0stack/n0core/volume/image}
                """
            let volumes = try await create(api, byName)
            let message = try #require(try await api.published.forSpec(volumes.id).first)
            let spec = try MessageCodec.decode(SpecMessage.self, from: Data(message.body), format: .json)
            #expect(spec.spec.first?.dependencies?.first?.object.id == imageID)
            // The answer keeps the reference as written, like a variable reference.
            #expect(volumes.spec["disk"]?.dependencies?.first?.object.name == "debian")

            // A name finds an image, and an image is no VM's disk.
            let asDisk = """
                spec:
                  web:
                    type: resource/vm/kvm
                    vcpus: 1
                    memory: 1gb
                    dependencies:
                      - object: {name: debian}
                        property: {r: n0stack/n0core/vm/attachments}
                """
            let refused = try await api.send(.post, "/api/spec", body: asDisk, accept: "application/json")
            #expect(refused.status == .unprocessableContent)
            #expect(String(buffer: refused.body).contains("cannot have 'n0stack/n0core/vm/attachments' on a resource/image"))

            let unknown = try await api.send(.post, "/api/spec", body: byName.replacingOccurrences(of: "name: debian", with: "name: ubuntu"),
                                             accept: "application/json")
            #expect(unknown.status == .unprocessableContent)
            #expect(String(buffer: unknown.body).contains("no image is named 'ubuntu'"))
            _ = try await create(api, Self.imageSpec)
            let ambiguous = try await api.send(.post, "/api/spec", body: byName, accept: "application/json")
            #expect(ambiguous.status == .unprocessableContent)
            #expect(String(buffer: ambiguous.body).contains("2 images are named 'debian'"))
            #expect(String(buffer: ambiguous.body).contains("spec.disk.dependencies[0].object.name"))
        }
    }

    @Test func imageRulesNameTheField() async throws {
        try await APIHarness.run { api in
            let noChecksum = Self.imageSpec.replacingOccurrences(of: "    checksum: \(Self.checksum)\n", with: "")
                .replacingOccurrences(of: "    checksum: \(Self.checksum)", with: "")
            let cases: [(String, String, String)] = [
                (noChecksum, "spec.debian.checksum", "is required for an image fetched from a URL"),
                (Self.imageSpec.replacingOccurrences(of: "https://images.example.org/debian-12.qcow2", with: "file:///etc/shadow"),
                 "spec.debian.source", "only http:// and https:// URLs are fetched"),
                (Self.imageSpec.replacingOccurrences(of: "format: qcow2", with: "format: vmdk"), "spec.debian.format", "must be one of qcow2, raw"),
                (Self.imageSpec.replacingOccurrences(of: Self.checksum, with: "md5:abc"), "spec.debian.checksum", "must start with 'sha256:'"),
                (Self.imageSpec + "\n    url: file:///etc/shadow", "spec.debian.url", "is set by the volumer"),
                (Self.imageSpec + """

                      disk:
                        type: resource/volume/file
                        size: 10gb
                        source: debian.qcow2
                        dependencies:
                          - object: {variable: debian}
                            property: {r: n0stack/n0core/volume/image}
                    """, "spec.disk.source", "give either `source`"),
                (Self.imageSpec + """

                      disk:
                        type: resource/volume/file
                        size: 10gb
                        dependencies:
                          - object: {variable: debian}
                            property: {r: n0stack/n0core/vm/attachments}
                    """, "spec.disk.dependencies[0].property.r", "a volume takes 'n0stack/n0core/volume/image'"),
            ]
            for (yaml, path, message) in cases {
                let response = try await api.send(.post, "/api/spec", body: yaml, accept: "application/json")
                #expect(response.status == .unprocessableContent, "\(path)")
                let body = String(buffer: response.body)
                #expect(body.contains(path) && body.contains(message), "\(path): \(body)")
            }
            #expect(try await IntegrationEnvironment.count("specs", in: api.store) == 0)

            // What makes an image's bytes cannot change.
            let created = try await create(api, Self.imageSpec)
            var document = SpecDocument(version: 0, annotations: created.annotations, spec: created.spec)
            document.spec["debian"]?.checksum = "sha256:" + String(repeating: "00", count: 32)
            let changed = try await api.send(.put, "/api/spec/\(created.id)", body: MessageCodec.encodeString(document, format: .yaml),
                                             accept: "application/json")
            #expect(changed.status == .unprocessableContent)
            #expect(String(buffer: changed.body).contains("cannot change on an existing image"))
        }
    }
}
