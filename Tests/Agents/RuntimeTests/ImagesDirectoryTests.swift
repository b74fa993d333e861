import Foundation
import Messages
import Testing

@testable import AgentRuntime

/// Resolving image names in an images directory on a real file system: symbolic links are
/// followed to where they lead, and anything outside the directory, or not a regular file, is
/// refused with a message that does not show where a link leads.
@Suite struct ImagesDirectoryTests {
    /// `ROOT/images` with `debian.qcow2` (a regular file) and `ROOT/outside/secret` beside it.
    struct Layout {
        let root = NSTemporaryDirectory() + "n0core-images-\(UUID().uuidString.lowercased())"
        var images: String { "\(root)/images" }
        var directory: ImagesDirectory { ImagesDirectory(path: images, configurationKey: "volumer.images_directory") }

        init() throws {
            let manager = FileManager.default
            try manager.createDirectory(atPath: "\(root)/images/debian", withIntermediateDirectories: true)
            try manager.createDirectory(atPath: "\(root)/outside", withIntermediateDirectories: true)
            #expect(manager.createFile(atPath: "\(root)/images/debian.qcow2", contents: Data("image".utf8)))
            #expect(manager.createFile(atPath: "\(root)/images/debian/vmlinuz", contents: Data("kernel".utf8)))
            #expect(manager.createFile(atPath: "\(root)/outside/secret", contents: Data("secret".utf8)))
        }

        func link(_ name: String, to target: String) throws {
            try FileManager.default.createSymbolicLink(atPath: "\(images)/\(name)", withDestinationPath: target)
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    func failure(_ directory: ImagesDirectory, _ name: String) -> String? {
        do {
            _ = try directory.resolve(try ImageName(validating: name), field: "source")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func filesInsideResolveToTheirRealPath() throws {
        let layout = try Layout()
        defer { layout.remove() }
        let real = URL(fileURLWithPath: layout.images).resolvingSymlinksInPath().path
        #expect(try layout.directory.resolve(ImageName(validating: "debian.qcow2"), field: "source") == "\(real)/debian.qcow2")
        #expect(try layout.directory.resolve(ImageName(validating: "debian/vmlinuz"), field: "kernel") == "\(real)/debian/vmlinuz")
        // A link inside the directory to another image of it is that image.
        try layout.link("current.qcow2", to: "debian.qcow2")
        #expect(try layout.directory.resolve(ImageName(validating: "current.qcow2"), field: "source") == "\(real)/debian.qcow2")
        // The directory itself may be reached through a link.
        try FileManager.default.createSymbolicLink(atPath: "\(layout.root)/images-link", withDestinationPath: layout.images)
        let linked = ImagesDirectory(path: "\(layout.root)/images-link", configurationKey: "compute.images_directory")
        #expect(try linked.resolve(ImageName(validating: "debian.qcow2"), field: "source") == "\(real)/debian.qcow2")
    }

    @Test func linksOutOfTheDirectoryAreRefusedWithoutSayingWhereTheyLead() throws {
        let layout = try Layout()
        defer { layout.remove() }
        try layout.link("shadow", to: "/etc/shadow")
        try layout.link("relative", to: "../outside/secret")
        try layout.link("etc", to: "/etc")
        try layout.link("up", to: "..")
        for name in ["shadow", "relative", "etc/shadow", "etc/passwd", "up/outside/secret"] {
            let message = try #require(failure(layout.directory, name), "\(name) was accepted")
            #expect(message.contains("leads out of this hypervisor's images directory"), "\(name): \(message)")
            #expect(!message.contains("/etc/") && !message.contains("\(layout.root)/outside"), "\(name): \(message)")
        }
    }

    @Test func whatIsNotARegularFileOrIsMissingIsRefused() throws {
        let layout = try Layout()
        defer { layout.remove() }
        #expect(failure(layout.directory, "debian")?.contains("is not a regular file") == true)
        #expect(mkfifo("\(layout.images)/pipe", 0o600) == 0)
        #expect(failure(layout.directory, "pipe")?.contains("is not a regular file") == true)
        try layout.link("null", to: "/dev/null")
        #expect(failure(layout.directory, "null")?.contains("leads out") == true)
        #expect(failure(layout.directory, "missing.qcow2")?.contains("no such image") == true)
        #expect(failure(layout.directory, "debian.qcow2/x")?.contains("no such image") == true)
        try layout.link("dangling", to: "nowhere")
        #expect(failure(layout.directory, "dangling")?.contains("no such image") == true)
        let absent = ImagesDirectory(path: "\(layout.root)/absent", configurationKey: "compute.images_directory")
        let message = try #require(failure(absent, "debian.qcow2"))
        #expect(message.contains("\(layout.root)/absent (compute.images_directory) cannot be used"), "\(message)")
    }

    @Test func backingFilesAreCheckedByPathAndNamedRelativeToTheDirectory() throws {
        let layout = try Layout()
        defer { layout.remove() }
        try layout.link("shadow", to: "/etc/shadow")
        #expect(layout.directory.holds("\(layout.images)/debian.qcow2"))
        #expect(layout.directory.holds("\(layout.images)/debian/../debian.qcow2"))
        #expect(!layout.directory.holds("\(layout.images)/../outside/secret"))
        #expect(!layout.directory.holds("\(layout.images)/shadow"))
        #expect(!layout.directory.holds("/etc/shadow"))
        #expect(!layout.directory.holds("\(layout.images)/debian"), "a directory is not an image")
        #expect(!layout.directory.holds("debian.qcow2"), "a relative path is not resolved against anything")
        #expect(layout.directory.name(of: "\(layout.images)/debian/vmlinuz") == "debian/vmlinuz")
        #expect(layout.directory.name(of: "\(layout.root)/outside/secret") == nil)
    }

    @Test func insideMeansBelowTheDirectoryNotBesideIt() {
        #expect(ImagesDirectory.isInside("/var/lib/n0core/images/a", root: "/var/lib/n0core/images"))
        #expect(!ImagesDirectory.isInside("/var/lib/n0core/images-old/a", root: "/var/lib/n0core/images"))
        #expect(!ImagesDirectory.isInside("/var/lib/n0core/images", root: "/var/lib/n0core/images"))
        #expect(!ImagesDirectory.isInside("/etc/shadow", root: "/var/lib/n0core/images"))
    }
}
