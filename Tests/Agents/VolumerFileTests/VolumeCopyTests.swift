import AgentRuntime
import Foundation
import Logging
import Messages
import ServiceSupport
import Testing

@testable import VolumerFile

/// Two volumers in one process, each with its own data and images directories and the real
/// qemu-img: the first serves its volumes (``VolumeExportServer`` on loopback), the second
/// copies one with `apply(_:copyingFrom:)`.
@Suite("Volume copy between volumers", .enabled(if: VolumeTestEnvironment.hasQemuImg))
struct VolumeCopyTests {
    static let secret = ExportSecret(bytes: Array("n0core-test-secret-0123456789abcdef".utf8))!
    static let wrongSecret = ExportSecret(bytes: Array("another-test-secret-0123456789abcdef".utf8))!
    let runner = ProcessCommandRunner(logger: VolumeTestEnvironment.logger)

    func driver(_ directory: String, secret: ExportSecret?, copyTimeout: Duration = .seconds(30)) -> VolumerFileDriver {
        var configuration = VolumerFileConfiguration(dataDirectory: directory,
                                                     imagesDirectory: VolumeTestEnvironment.imagesDirectory(of: directory))
        configuration.export = VolumeExportSettings(secret: secret, copyTimeout: copyTimeout)
        return VolumerFileDriver(configuration: configuration, runner: runner, logger: VolumeTestEnvironment.logger)
    }

    func volume(_ id: ObjectID, _ size: Size, source: String? = nil) -> Object {
        Object(type: .volumeFile, id: id, desiredState: "allocated", size: size, source: source)
    }

    /// Runs the export server over `directory` on an ephemeral port for `body`.
    func withExporter(_ directory: String, secret: ExportSecret = secret,
                      inUse: VolumeExportServer.InUseCheck? = nil, _ body: (Int) async throws -> Void) async throws {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let qemuImage = QemuImage(runner: runner, timeout: .seconds(30))
        let server = VolumeExportServer(
            address: ListenAddress(host: "127.0.0.1", port: 0), dataDirectory: directory, secret: secret,
            inUse: inUse ?? { try await qemuImage.isLocked($0) }, chunkSize: 64 << 10,
            logger: VolumeTestEnvironment.logger) { listening.yield($0) }
        let running = Task { try await server.run() }
        defer { running.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        try await body(port)
    }

    /// Two data directories, the exporter's and the importer's.
    func withTwoVolumers(_ body: (String, String) async throws -> Void) async throws {
        try await VolumeTestEnvironment.withDataDirectory { first in
            try await VolumeTestEnvironment.withDataDirectory { second in
                try await body(first, second)
            }
        }
    }

    func source(_ port: Int, _ id: ObjectID, agent: ObjectID = ObjectID()) -> VolumeCopySource {
        VolumeCopySource(agentID: agent, url: "http://127.0.0.1:\(port)/volumes/\(id)")
    }

    /// Writes known bytes into a volume the way a guest would.
    func write(_ path: String, pattern: String, at offset: String) async throws {
        try await runner.check(Command("qemu-io", ["-f", "qcow2", "-c", "write -q -P \(pattern) \(offset) 1M", path]))
    }

    /// Whether qemu-img compare finds the two volumes' guest-visible content equal.
    func sameContent(_ first: String, _ second: String) async throws -> Bool {
        try await runner.run(Command("qemu-img", ["compare", "-q", "-U", first, second])).status == 0
    }

    @Test func aCopyHasTheSameContentAndIsGrownToTheAskedSize() async throws {
        try await withTwoVolumers { first, second in
            let exporter = driver(first, secret: Self.secret)
            let importer = driver(second, secret: Self.secret)
            try await exporter.prepare()
            try await importer.prepare()
            let id = ObjectID()
            _ = try await exporter.apply(volume(id, Size(64, .mb)))
            try await write("\(first)/\(id)", pattern: "0x5a", at: "0")
            try await write("\(first)/\(id)", pattern: "0xa5", at: "40M")
            try await withExporter(first) { port in
                let agent = ObjectID()
                let copied = try await importer.apply(volume(id, Size(96, .mb)), copyingFrom: source(port, id, agent: agent))
                #expect(copied.object.url == "file://\(second)/\(id)")
                #expect(copied.message == "Succeeded to create resource as a copy of the volume on agent \(agent).")
                let path = "\(second)/\(id)"
                #expect(OwnerOnly.mode(of: path) == 0o600)
                #expect(try await VolumeTestEnvironment.virtualSize(path) == 96 << 20)
                #expect(try await sameContent("\(first)/\(id)", path))
                #expect(VolumeTestEnvironment.entries(second) == [id.description], "no temporary file is left")
                // The test can fail: a volume with other bytes differs.
                try await write("\(first)/\(id)", pattern: "0x11", at: "8M")
                #expect(try await !sameContent("\(first)/\(id)", path))
                // A redelivery keeps the copy and fetches nothing: the exporter is not asked again.
                let again = try await importer.apply(volume(id, Size(96, .mb)),
                                                     copyingFrom: VolumeCopySource(agentID: agent, url: "http://127.0.0.1:1/volumes/\(id)"))
                #expect(again.message == nil)
            }
        }
    }

    /// An overlay of an image is rebased onto this host's copy of the image, whatever its path there.
    @Test func anOverlayIsRebasedOntoThisHostsImage() async throws {
        try await withTwoVolumers { first, second in
            let exporter = driver(first, secret: Self.secret)
            let importer = driver(second, secret: Self.secret)
            try await exporter.prepare()
            try await importer.prepare()
            for directory in [first, second] {
                let image = "\(VolumeTestEnvironment.imagesDirectory(of: directory))/base.qcow2"
                try await VolumeTestEnvironment.makeImage(["-f", "qcow2", image, "32M"])
                try await write(image, pattern: "0x33", at: "1M")
            }
            let id = ObjectID()
            _ = try await exporter.apply(volume(id, Size(64, .mb), source: "base.qcow2"))
            try await write("\(first)/\(id)", pattern: "0x5a", at: "4M")
            try await withExporter(first) { port in
                _ = try await importer.apply(volume(id, Size(64, .mb), source: "base.qcow2"), copyingFrom: source(port, id))
            }
            let path = "\(second)/\(id)"
            let info = try await VolumeTestEnvironment.info(path)
            #expect(info["full-backing-filename"] as? String == "\(VolumeTestEnvironment.imagesDirectory(of: second))/base.qcow2")
            #expect(try await sameContent("\(first)/\(id)", path))
            let found = try await importer.inventory()
            #expect(importer.differences(held: volume(id, Size(64, .mb), source: "base.qcow2"), found: found[0]).isEmpty)
        }
    }

    @Test func aWrongSecretOrAMissingVolumeFailsAtOnce() async throws {
        try await withTwoVolumers { first, second in
            let exporter = driver(first, secret: Self.secret)
            try await exporter.prepare()
            let id = ObjectID()
            _ = try await exporter.apply(volume(id, Size(16, .mb)))
            try await withExporter(first) { port in
                let stranger = driver(second, secret: Self.wrongSecret, copyTimeout: .seconds(60))
                try await stranger.prepare()
                let started = ContinuousClock.now
                let refused = try await #require(throws: AgentFailure.self) {
                    try await stranger.apply(volume(id, Size(16, .mb)), copyingFrom: source(port, id))
                }
                #expect("\(refused)".contains("could not copy volume \(id) from agent"))
                #expect("\(refused)".contains("HTTP 401") && "\(refused)".contains("volumer.export_secret_file"))
                #expect(ContinuousClock.now - started < .seconds(10), "not retried")
                #expect(VolumeTestEnvironment.entries(second).isEmpty, "nothing is left behind")

                let importer = driver(second, secret: Self.secret, copyTimeout: .seconds(60))
                let unknown = ObjectID()
                let missing = try await #require(throws: AgentFailure.self) {
                    try await importer.apply(volume(unknown, Size(16, .mb)), copyingFrom: source(port, unknown))
                }
                #expect("\(missing)".contains("HTTP 404"))
                #expect(VolumeTestEnvironment.entries(second).isEmpty)

                // Without a secret a copy cannot be asked for at all, and says what to set.
                let unconfigured = driver(second, secret: nil)
                let off = try await #require(throws: AgentFailure.self) {
                    try await unconfigured.apply(volume(id, Size(16, .mb)), copyingFrom: source(port, id))
                }
                #expect("\(off)".contains("volumer.export_secret_file"))
                // A URL for another volume is refused before any token is sent.
                let elsewhere = try await #require(throws: AgentFailure.self) {
                    try await importer.apply(volume(ObjectID(), Size(16, .mb)), copyingFrom: source(port, id))
                }
                #expect("\(elsewhere)".contains("ending in /volumes/"))
            }
        }
    }

    /// The export server's answers on the wire.
    @Test func theExporterRefusesWhatItMustNotServe() async throws {
        try await VolumeTestEnvironment.withDataDirectory { first in
            let exporter = driver(first, secret: Self.secret)
            try await exporter.prepare()
            let id = ObjectID()
            _ = try await exporter.apply(volume(id, Size(16, .mb)))
            try await withExporter(first) { port in
                let good = ExportToken.mint(volume: id, secret: Self.secret)
                let served = try await RawHTTP.get(port: port, "/volumes/\(id)", token: good)
                #expect(served.status == 200)
                #expect(served.header("Content-Type") == "application/octet-stream")
                let length = try #require(FileManager.default.attributesOfItem(atPath: "\(first)/\(id)")[.size] as? NSNumber)
                #expect(served.header("Content-Length") == "\(length)")
                #expect(served.body == Array(try #require(FileManager.default.contents(atPath: "\(first)/\(id)"))))

                #expect(try await RawHTTP.get(port: port, "/volumes/\(id)").status == 401)
                let forged = try await RawHTTP.get(port: port, "/volumes/\(id)", token: ExportToken.mint(volume: id, secret: Self.wrongSecret))
                #expect(forged.status == 401)
                #expect(String(decoding: forged.body, as: UTF8.self) == "invalid token\n")
                let expired = ExportToken.mint(volume: id, secret: Self.secret, now: Date().addingTimeInterval(-700))
                #expect(try await RawHTTP.get(port: port, "/volumes/\(id)", token: expired).status == 401)
                let otherVolume = ObjectID()
                #expect(try await RawHTTP.get(port: port, "/volumes/\(otherVolume)", token: good).status == 401, "bound to its volume")
                #expect(try await RawHTTP.get(port: port, "/volumes/\(otherVolume)",
                                              token: ExportToken.mint(volume: otherVolume, secret: Self.secret)).status == 404)
                #expect(try await RawHTTP.get(port: port, "/volumes/\(id.description.uppercased())", token: good).status == 404)
                #expect(try await RawHTTP.get(port: port, "/volumes/../\(id)", token: good).status == 404)
                let post = try await RawHTTP.exchange(port: port, "POST /volumes/\(id) HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                #expect(post.status == 405)
                #expect(post.header("Allow") == "GET")
            }
        }
    }

    /// While a QEMU holds the volume (here `qemu-io`, which takes the same locks) the exporter
    /// answers 409; the importer retries until the holder is gone, or gives up at its timeout.
    @Test func aVolumeInUseIsServedOnlyOnceItIsReleased() async throws {
        try await withTwoVolumers { first, second in
            let exporter = driver(first, secret: Self.secret)
            try await exporter.prepare()
            let id = ObjectID()
            _ = try await exporter.apply(volume(id, Size(16, .mb)))
            try await write("\(first)/\(id)", pattern: "0x5a", at: "0")
            // Held until the test lets go, not for a fixed time a slow run can outlast.
            let holder = try await LockHolder.holding("\(first)/\(id)", seconds: 600, qemuImage: QemuImage(runner: runner, timeout: .seconds(30)))
            defer { holder.stop() }
            try await withExporter(first) { port in
                let busy = try await RawHTTP.get(port: port, "/volumes/\(id)", token: ExportToken.mint(volume: id, secret: Self.secret))
                #expect(busy.status == 409)
                #expect(busy.header("Retry-After") == "2")

                let impatient = driver(second, secret: Self.secret, copyTimeout: .seconds(4))
                try await impatient.prepare()
                let gaveUp = try await #require(throws: AgentFailure.self) {
                    try await impatient.apply(volume(id, Size(16, .mb)), copyingFrom: source(port, id))
                }
                // Its last answer was the 409, or, on a busy machine, an attempt the timeout cut.
                #expect("\(gaveUp)".contains("volumer.copy_timeout_seconds"), "\(gaveUp)")
                #expect(VolumeTestEnvironment.entries(second).isEmpty)

                let patient = driver(second, secret: Self.secret, copyTimeout: .seconds(60))
                let started = ContinuousClock.now
                let release = Task {
                    try await Task.sleep(for: .milliseconds(1500))
                    holder.stop()
                }
                _ = try await patient.apply(volume(id, Size(16, .mb)), copyingFrom: source(port, id))
                #expect(ContinuousClock.now - started > .seconds(1), "it waited for the holder")
                try await release.value
                #expect(try await sameContent("\(first)/\(id)", "\(second)/\(id)"))
            }
        }
    }

    /// A body longer than a volume of the asked size can be is stopped, and nothing is kept.
    @Test func aSourceLargerThanTheVolumeCanBeIsRefused() async throws {
        #expect(VolumeDownload.limit(forVolumeOf: 1 << 30) == (1 << 30) + (1 << 30) / 10)
        #expect(VolumeDownload.limit(forVolumeOf: 16 << 20) == (16 << 20) + (64 << 20))
        try await withTwoVolumers { first, second in
            let exporter = driver(first, secret: Self.secret)
            try await exporter.prepare()
            let id = ObjectID()
            _ = try await exporter.apply(volume(id, Size(1, .gb)))
            // 96 MiB of data: more than a 16 MiB volume's limit (80 MiB).
            for offset in stride(from: 0, to: 96, by: 1) {
                try await write("\(first)/\(id)", pattern: "0x5a", at: "\(offset)M")
            }
            try await withExporter(first) { port in
                let importer = driver(second, secret: Self.secret)
                try await importer.prepare()
                let refused = try await #require(throws: AgentFailure.self) {
                    try await importer.apply(volume(id, Size(16, .mb)), copyingFrom: source(port, id))
                }
                #expect("\(refused)".contains("more than a volume of this size can be"))
                #expect(VolumeTestEnvironment.entries(second).isEmpty)
            }
        }
    }
}

/// `qemu-io` holding an image's locks for a while, as a running QEMU would; killed by its own
/// process id when the test ends.
final class LockHolder: @unchecked Sendable {
    private let process = Process()

    var isRunning: Bool { process.isRunning }

    /// A holder seen to hold the lock and still running. qemu-io fails to open the image when
    /// a reader holds its shared locks at that moment (as the check itself does), so one that
    /// lost that race is started again.
    static func holding(_ path: String, seconds: Int, qemuImage: QemuImage) async throws -> LockHolder {
        for _ in 0..<5 {
            let holder = try LockHolder(path: path, seconds: seconds)
            try await Task.sleep(for: .milliseconds(500))
            if holder.isRunning, try await qemuImage.isLocked(path) {
                try await Task.sleep(for: .milliseconds(200))
                if holder.isRunning { return holder }
            }
            holder.stop()
        }
        throw AgentFailure("qemu-io did not hold \(path) in five tries")
    }

    init(path: String, seconds: Int) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["qemu-io", "-f", "qcow2", "-c", "sleep \(seconds * 1000)", path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func stop() {
        // SIGKILL: the test process ignores SIGTERM, and its children inherit that.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
