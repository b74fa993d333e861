import AgentRuntime
import Foundation
import Messages
import Testing

@testable import VolumerFile

/// The driver against the real `qemu-img`, without the broker.
@Suite("Volume driver (qemu-img)", .enabled(if: VolumeTestEnvironment.hasQemuImg))
struct VolumerFileDriverTests {
    func volume(_ id: ObjectID, _ size: Size?, state: String = "allocated", source: String? = nil) -> Object {
        Object(type: .volumeFile, id: id, desiredState: state, size: size, source: source)
    }

    @Test func growsOnALargerSizeAndRefusesASmallerOne() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let id = ObjectID()
            let path = "\(directory)/\(id)"
            let created = try await driver.apply(volume(id, Size(1, .gb)))
            #expect(created.object.url == "file://\(path)")
            #expect(try await VolumeTestEnvironment.virtualSize(path) == 1 << 30)
            let grown = try await driver.apply(volume(id, Size(2, .gb)))
            #expect(grown.message == "Succeeded to grow resource from 1gb to 2gb.")
            #expect(try await VolumeTestEnvironment.virtualSize(path) == 2 << 30)
            await #expect(throws: AgentFailure.self) { try await driver.apply(volume(id, Size(1, .gb))) }
            #expect(try await VolumeTestEnvironment.virtualSize(path) == 2 << 30, "a refused shrink changes nothing")
            #expect(VolumeTestEnvironment.entries(directory) == [id.description])
        }
    }

    @Test func sourceMakesACopyOnWriteOverlayOfAnImageOfTheImagesDirectory() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let images = VolumeTestEnvironment.imagesDirectory(of: directory)
            try FileManager.default.createDirectory(atPath: "\(images)/debian", withIntermediateDirectories: true)
            let image = "\(images)/debian/base.raw"
            try await VolumeTestEnvironment.makeImage(["-f", "raw", image, "64M"])
            let id = ObjectID()
            _ = try await driver.apply(volume(id, Size(1, .gb), source: "debian/base.raw"))
            let info = try await VolumeTestEnvironment.info("\(directory)/\(id)")
            #expect(info["full-backing-filename"] as? String == image)
            #expect(info["backing-filename-format"] as? String == "raw")
            #expect((info["virtual-size"] as? NSNumber)?.uint64Value == 1 << 30)
            let found = try await driver.inventory()
            #expect(found.map(\.source) == ["debian/base.raw"])
            #expect(driver.differences(held: volume(id, Size(1, .gb), source: "debian/base.raw"), found: found[0]).isEmpty)
            #expect(try await driver.apply(volume(id, Size(1, .gb), source: "debian/base.raw")).message == nil, "kept as it is")
            await #expect {
                try await driver.apply(volume(ObjectID(), Size(32, .mb), source: "debian/base.raw"))
            } throws: { "\($0)".contains("smaller than the source image's virtual size 64mb") }
            await #expect {
                try await driver.apply(volume(ObjectID(), Size(1, .gb), source: "missing.qcow2"))
            } throws: { "\($0)".contains("there is no such image in this hypervisor's images directory") }
            // A chain inside the directory is fine: an overlay image over the base, both images.
            try await VolumeTestEnvironment.makeImage(["-f", "qcow2", "-b", image, "-F", "raw", "\(images)/debian/layer.qcow2", "128M"])
            let layered = ObjectID()
            _ = try await driver.apply(volume(layered, Size(1, .gb), source: "debian/layer.qcow2"))
            #expect(try await VolumeTestEnvironment.info("\(directory)/\(layered)")["full-backing-filename"] as? String
                == "\(images)/debian/layer.qcow2")
            // The volume being removed needs no image, even one that is gone.
            try FileManager.default.removeItem(atPath: image)
            _ = try await driver.apply(volume(id, nil, state: "deleted", source: "debian/base.raw"))
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(id)"))
        }
    }

    /// `/etc/shadow` as a user would try it: as a URL, as a path, through `..`, through a link
    /// an image directory holds, and as the backing file of an image in the directory. Each is
    /// refused and leaves no file behind.
    @Test func hostFilesAreRefusedHoweverTheyAreReached() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let images = VolumeTestEnvironment.imagesDirectory(of: directory)
            try FileManager.default.createSymbolicLink(atPath: "\(images)/shadow", withDestinationPath: "/etc/shadow")
            try FileManager.default.createSymbolicLink(atPath: "\(images)/etc", withDestinationPath: "/etc")
            let outside = directory + "-outside.raw"
            defer { try? FileManager.default.removeItem(atPath: outside) }
            try await VolumeTestEnvironment.makeImage(["-f", "raw", outside, "1M"])
            try await VolumeTestEnvironment.makeImage(["-f", "qcow2", "-b", outside, "-F", "raw", "\(images)/escape.qcow2", "1M"])
            try await VolumeTestEnvironment.makeImage(["-f", "qcow2", "-b", "/etc/shadow", "-F", "raw", "\(images)/shadow.qcow2", "1M"])

            let refusals: [(String, String)] = [
                ("file:///etc/shadow", "object.source is a URL"),
                ("/etc/shadow", "object.source is an absolute path"),
                ("../../../../etc/shadow", "object.source has a '..' part"),
                ("shadow", "source shadow leads out of this hypervisor's images directory"),
                ("etc/shadow", "source etc/shadow leads out of this hypervisor's images directory"),
                ("escape.qcow2", "source escape.qcow2: its backing image (level 1) lies outside this hypervisor's images directory"),
                ("shadow.qcow2", "source shadow.qcow2: its backing image (level 1) lies outside"),
            ]
            for (source, reason) in refusals {
                await #expect {
                    let object = volume(ObjectID(), Size(1, .gb), source: source)
                    try driver.validate(object)
                    _ = try await driver.apply(object)
                } throws: { error in
                    "\(error)".contains(reason) && !"\(error)".contains(outside)
                }
            }
            #expect(VolumeTestEnvironment.entries(directory).isEmpty, "nothing made, nothing half-made")
        }
    }

    /// Volumes are their owner's only (0600) in a directory others may pass through but not
    /// list (0711), whatever the umask; volumes of older versions are tightened at start.
    @Test func volumeFilesAreTheOwnersOnly() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            #expect(OwnerOnly.mode(of: directory) == 0o711)
            let id = ObjectID()
            _ = try await driver.apply(volume(id, Size(1, .gb)))
            #expect(OwnerOnly.mode(of: "\(directory)/\(id)") == 0o600)
            _ = try await driver.apply(volume(id, Size(2, .gb)))
            #expect(OwnerOnly.mode(of: "\(directory)/\(id)") == 0o600, "growing keeps the mode")

            let older = ObjectID()
            try await VolumeTestEnvironment.makeImage(["-f", "qcow2", "\(directory)/\(older)", "1M"])
            #expect(chmod("\(directory)/\(older)", 0o644) == 0)
            #expect(FileManager.default.createFile(atPath: "\(directory)/notes.txt", contents: Data(), attributes: [.posixPermissions: 0o644]))
            try await driver.prepare()
            #expect(OwnerOnly.mode(of: "\(directory)/\(older)") == 0o600)
            #expect(OwnerOnly.mode(of: "\(directory)/notes.txt") == 0o644, "only volumes are the agent's")
        }
    }

    @Test func anImagesDirectoryOverlappingTheDataDirectoryStopsTheAgent() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            // Volumes inside the images directory, reached through a link that hides it from
            // the configuration's own check: every tenant's volume would be an image to name.
            let images = VolumeTestEnvironment.imagesDirectory(of: directory)
            try FileManager.default.createDirectory(atPath: "\(images)/volumes", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: directory, withDestinationPath: "\(images)/volumes")
            #expect(VolumerFileConfiguration.problem(imagesDirectory: images, dataDirectory: directory) == nil)
            await #expect { try await VolumeTestEnvironment.driver(directory).prepare() } throws: { "\($0)".contains("overlap") }
            #expect(VolumerFileConfiguration.problem(imagesDirectory: "/srv/volumes/images", dataDirectory: "/srv/volumes")?
                .contains("neither may contain the other") == true)
            #expect(VolumerFileConfiguration.problem(imagesDirectory: "/srv", dataDirectory: "/srv/volumes") != nil)
            #expect(VolumerFileConfiguration.problem(imagesDirectory: "/", dataDirectory: "/srv/volumes") != nil)
            #expect(VolumerFileConfiguration.problem(imagesDirectory: "images", dataDirectory: "/srv/volumes") == "an absolute path")
            #expect(VolumerFileConfiguration.problem(imagesDirectory: "/srv/images", dataDirectory: "/srv/volumes") == nil)
        }
    }

    @Test func deletedAndDestroyedRemoveTheFileIdempotently() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let (deleted, destroyed) = (ObjectID(), ObjectID())
            for id in [deleted, destroyed] { _ = try await driver.apply(volume(id, Size(1, .gb))) }
            #expect(VolumeTestEnvironment.entries(directory).count == 2)
            for _ in 0..<2 {
                let outcome = try await driver.apply(volume(deleted, Size(1, .gb), state: "deleted"))
                #expect(outcome.object.url == nil)
                _ = try await driver.apply(volume(destroyed, nil, state: "destroyed"))
            }
            #expect(VolumeTestEnvironment.entries(directory).isEmpty)
        }
    }

    @Test func wipeOverwritesEveryByte() throws {
        let path = NSTemporaryDirectory() + "n0core-wipe-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0xAB, count: 3 << 20 | 17).write(to: URL(fileURLWithPath: path))
        try FileWipe.overwriteWithZeros(path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.count == 3 << 20 | 17)
        #expect(data.allSatisfy { $0 == 0 })
    }

    @Test func inventoryCapacityAndLeftoversOfACrash() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let id = ObjectID()
            _ = try await driver.apply(volume(id, Size(3, .gb)))
            #expect(FileManager.default.createFile(atPath: "\(directory)/.\(ObjectID()).creating", contents: Data("half".utf8)))
            #expect(FileManager.default.createFile(atPath: "\(directory)/notes.txt", contents: Data()))
            try await driver.prepare()
            #expect(VolumeTestEnvironment.entries(directory) == [id.description, "notes.txt"].sorted())
            let found = try await driver.inventory()
            #expect(found == [Object(type: .volumeFile, id: id, size: Size(3, .gb), url: "file://\(directory)/\(id)")])
            #expect(driver.differences(held: volume(id, Size(3, .gb)), found: found[0]).isEmpty)
            #expect(driver.differences(held: volume(id, Size(4, .gb)), found: found[0]) == ["its virtual size is 3gb, applied as 4gb"])
            let disk = try #require(try await driver.capacity()?.disk)
            #expect(disk.bytes > 0 && disk.bytes % (1 << 20) == 0)
        }
    }
}
