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

    @Test func sourceMakesACopyOnWriteOverlay() async throws {
        try await VolumeTestEnvironment.withDataDirectory { directory in
            let driver = VolumeTestEnvironment.driver(directory)
            try await driver.prepare()
            let image = "\(directory)/images/base.raw"
            try FileManager.default.createDirectory(atPath: "\(directory)/images", withIntermediateDirectories: true)
            try await ProcessCommandRunner(logger: VolumeTestEnvironment.logger).check(
                Command("qemu-img", ["create", "-q", "-f", "raw", image, "64M"]))
            let id = ObjectID()
            _ = try await driver.apply(volume(id, Size(1, .gb), source: "file://\(image)"))
            let info = try await VolumeTestEnvironment.info("\(directory)/\(id)")
            #expect(info["full-backing-filename"] as? String == image)
            #expect(info["backing-filename-format"] as? String == "raw")
            #expect((info["virtual-size"] as? NSNumber)?.uint64Value == 1 << 30)
            let found = try await driver.inventory()
            #expect(found.map(\.source) == ["file://\(image)"])
            await #expect {
                try await driver.apply(volume(ObjectID(), Size(32, .mb), source: "file://\(image)"))
            } throws: { "\($0)".contains("smaller than the source image's virtual size 64mb") }
            await #expect {
                try await driver.apply(volume(ObjectID(), Size(1, .gb), source: "file://\(directory)/images/missing.qcow2"))
            } throws: { "\($0)".contains("does not exist on this host") }
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
