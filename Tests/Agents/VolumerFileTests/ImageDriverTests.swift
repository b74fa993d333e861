import AgentRuntime
import Foundation
import Messages
import Testing

@testable import VolumerFile

/// `resource/image` on the volumer, against the real `qemu-img` and a real HTTP server on
/// loopback (`python3 -m http.server`) serving a qcow2 image the test made.
@Suite("Images on the volumer (qemu-img, HTTP on loopback)", .enabled(if: VolumeTestEnvironment.hasQemuImg), .serialized)
struct ImageDriverTests {
    func image(_ id: ObjectID, source: String, checksum: String?, format: String = "qcow2", state: String = "available") -> Object {
        var image = Object(type: .image, id: id, desiredState: state, source: source)
        image.format = format
        image.checksum = checksum
        return image
    }

    func volume(_ id: ObjectID, _ size: Size?, image: Object?, state: String = "allocated") -> Object {
        Object(type: .volumeFile, id: id, desiredState: state, size: size, dependencies: image.map {
            [Dependency(object: $0, property: DependencyProperty(relation: Relation.volumeImage))]
        })
    }

    /// Serves `base.qcow2` (64 MiB virtual) and answers its checksum.
    func serveImage(_ server: LoopbackImageServer) async throws -> String {
        try await VolumeTestEnvironment.makeImage(["-f", "qcow2", "\(server.directory)/base.qcow2", "64M"])
        return "sha256:" + (try VolumerFileDriver.sha256(ofFile: "\(server.directory)/base.qcow2"))
    }

    @Test func aGoodChecksumIsCachedOnceAndVolumesAreOverlaysOfIt() async throws {
        let server = try await LoopbackImageServer()
        defer { server.stop() }
        let checksum = try await serveImage(server)
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let root = try driver.images.realRoot()
            let cached = "\(root)/.cache/sha256-\(checksum.dropFirst("sha256:".count))"
            let imageID = ObjectID()
            let image = self.image(imageID, source: "\(server.baseURL)/base.qcow2", checksum: checksum)

            let applied = try await driver.apply(image)
            #expect(applied.object.url == "file://\(cached)")
            #expect(OwnerOnly.mode(of: cached) == 0o600)
            #expect(server.requests(of: "/base.qcow2") == 1)
            #expect(try await VolumeTestEnvironment.info(cached)["format"] as? String == "qcow2")

            // Two volumes made from it, and the image applied again: no second download.
            let first = ObjectID(), second = ObjectID()
            _ = try await driver.apply(volume(first, Size(1, .gb), image: applied.object))
            _ = try await driver.apply(volume(second, Size(128, .mb), image: applied.object))
            _ = try await driver.apply(image)
            #expect(server.requests(of: "/base.qcow2") == 1, "the cached file is used, not downloaded again")
            for id in [first, second] {
                let info = try await VolumeTestEnvironment.info("\(directory)/\(id)")
                #expect(info["full-backing-filename"] as? String == cached)
                #expect(info["backing-filename-format"] as? String == "qcow2")
            }
            #expect(try await VolumeTestEnvironment.virtualSize("\(directory)/\(first)") == 1 << 30)
            await #expect {
                try await driver.apply(volume(ObjectID(), Size(32, .mb), image: applied.object))
            } throws: { "\($0)".contains("smaller than the image's virtual size 64mb") }

            // A second image object with the same bytes shares the file.
            let twinID = ObjectID()
            let twin = self.image(twinID, source: "\(server.baseURL)/base.qcow2", checksum: checksum.uppercased()
                .replacingOccurrences(of: "SHA256:", with: "sha256:"))
            #expect(try await driver.apply(twin).object.url == "file://\(cached)")
            #expect(server.requests(of: "/base.qcow2") == 1)

            let found = try await driver.inventory().filter { $0.type == .image }
            #expect(Set(found.compactMap(\.id)) == [imageID, twinID])
            #expect(found.allSatisfy { $0.url == "file://\(cached)" })
            #expect(driver.differences(held: image, found: found[0]).isEmpty)

            // Deleting: the file stays while another image or a volume uses it.
            let deleted = try await driver.apply(self.image(imageID, source: image.source!, checksum: checksum, state: "deleted"))
            #expect(deleted.object.url == nil)
            #expect(deleted.message?.contains("stays for images \(twinID)") == true)
            let twinDeleted = try await driver.apply(self.image(twinID, source: image.source!, checksum: checksum, state: "deleted"))
            #expect(twinDeleted.message?.contains("stays while volumes") == true)
            #expect(twinDeleted.message?.contains(first.description) == true)
            #expect(FileManager.default.fileExists(atPath: cached))
            for id in [first, second] { _ = try await driver.apply(volume(id, nil, image: nil, state: "deleted")) }
            // Applied again (a redelivery), the image is already forgotten: nothing to do.
            #expect(try await driver.apply(self.image(twinID, source: image.source!, checksum: checksum, state: "deleted")).message == nil)
            // A new image for the same bytes, then deleted with no volume left: the file goes.
            let last = ObjectID()
            _ = try await driver.apply(self.image(last, source: image.source!, checksum: checksum))
            _ = try await driver.apply(self.image(last, source: image.source!, checksum: checksum, state: "deleted"))
            #expect(!FileManager.default.fileExists(atPath: cached))
            #expect(VolumeTestEnvironment.entries("\(root)/.cache") == ["images"])
        }
    }

    @Test func aWrongChecksumFailsClearlyAndLeavesNothingInTheCache() async throws {
        let server = try await LoopbackImageServer()
        defer { server.stop() }
        _ = try await serveImage(server)
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let root = try driver.images.realRoot()
            let wrong = "sha256:" + String(repeating: "0", count: 64)
            let id = ObjectID()
            let error = await #expect(throws: AgentFailure.self) {
                try await driver.apply(self.image(id, source: "\(server.baseURL)/base.qcow2", checksum: wrong))
            }
            #expect(error?.message == "image checksum mismatch: the bytes downloaded from \(server.baseURL)/base.qcow2 do "
                + "not hash to the image's checksum \(wrong); nothing was cached. Fix the checksum, or the URL if it "
                + "serves another file")
            #expect(VolumeTestEnvironment.entries("\(root)/.cache").isEmpty, "no cached file, no partial download")
            #expect(try await driver.inventory().isEmpty)
            // A volume made from it fails the same way and is not created.
            let volumeID = ObjectID()
            await #expect(throws: AgentFailure.self) {
                try await driver.apply(volume(volumeID, Size(1, .gb), image: self.image(id, source: "\(server.baseURL)/base.qcow2", checksum: wrong)))
            }
            #expect(VolumeTestEnvironment.entries(directory).isEmpty)
            #expect(VolumeTestEnvironment.entries("\(root)/.cache").isEmpty)

            // Missing on the server, or not the declared format: refused, nothing cached.
            await #expect {
                try await driver.apply(self.image(ObjectID(), source: "\(server.baseURL)/missing.qcow2", checksum: wrong))
            } throws: { "\($0)".contains("answered HTTP 404") }
            let raw = "\(server.directory)/plain.raw"
            _ = FileManager.default.createFile(atPath: raw, contents: Data(count: 1 << 20))
            let rawChecksum = "sha256:" + (try VolumerFileDriver.sha256(ofFile: raw))
            await #expect {
                try await driver.apply(self.image(ObjectID(), source: "\(server.baseURL)/plain.raw", checksum: rawChecksum))
            } throws: { "\($0)".contains("is not a qcow2 image") }
            #expect(VolumeTestEnvironment.entries("\(root)/.cache").isEmpty)
        }
    }

    @Test func aDownloadLargerThanTheLimitIsStoppedAndNothingIsCached() async throws {
        let server = try await LoopbackImageServer()
        defer { server.stop() }
        let checksum = try await serveImage(server)
        try await VolumeTestEnvironment.withDataDirectory { directory in
            var configuration = VolumerFileConfiguration(dataDirectory: directory,
                                                         imagesDirectory: VolumeTestEnvironment.imagesDirectory(of: directory))
            configuration.images.maximumSize = Size(64, .kb)
            let driver = VolumerFileDriver(configuration: configuration, runner: ProcessCommandRunner(logger: VolumeTestEnvironment.logger),
                                           logger: VolumeTestEnvironment.logger)
            try await driver.prepare()
            await #expect {
                try await driver.apply(self.image(ObjectID(), source: "\(server.baseURL)/base.qcow2", checksum: checksum))
            } throws: { "\($0)".contains("larger than volumer.image_max_size (64kb)") }
            #expect(VolumeTestEnvironment.entries("\(try driver.images.realRoot())/.cache").isEmpty)
        }
    }

    @Test func anImageFromTheImagesDirectoryIsUsedInPlaceAndNeverRemoved() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let root = try driver.images.realRoot()
            try await VolumeTestEnvironment.makeImage(["-f", "raw", "\(root)/base.raw", "16M"])
            let checksum = "sha256:" + (try VolumerFileDriver.sha256(ofFile: "\(root)/base.raw"))
            let id = ObjectID()
            let applied = try await driver.apply(self.image(id, source: "base.raw", checksum: checksum, format: "raw"))
            #expect(applied.object.url == "file://\(root)/base.raw")
            let volumeID = ObjectID()
            _ = try await driver.apply(volume(volumeID, Size(1, .gb), image: applied.object))
            #expect(try await VolumeTestEnvironment.info("\(directory)/\(volumeID)")["full-backing-filename"] as? String == "\(root)/base.raw")
            await #expect {
                try await driver.apply(self.image(ObjectID(), source: "base.raw", checksum: checksum, format: "qcow2"))
            } throws: { "\($0)".contains("is a raw image, not qcow2") }
            await #expect {
                try await driver.apply(self.image(ObjectID(), source: "base.raw", checksum: "sha256:" + String(repeating: "1", count: 64), format: "raw"))
            } throws: { "\($0)".contains("does not hash to the image's checksum") }
            _ = try await driver.apply(volume(volumeID, nil, image: nil, state: "deleted"))
            _ = try await driver.apply(self.image(id, source: "base.raw", checksum: checksum, format: "raw", state: "deleted"))
            #expect(FileManager.default.fileExists(atPath: "\(root)/base.raw"), "the operator's file stays")
        }
    }
}
