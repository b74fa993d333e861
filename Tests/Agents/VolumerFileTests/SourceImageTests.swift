import AgentRuntime
import Messages
import Testing

@testable import VolumerFile

/// The backing chain of a source image, as `qemu-img info --backing-chain` reports it: every
/// file qemu would open must be in the images directory.
@Suite struct SourceImageTests {
    let name = try! ImageName(validating: "debian.qcow2")
    /// The images directory of these cases holds exactly these files.
    let inside: Set<String> = ["/images/debian.qcow2", "/images/base.raw"]

    func check(_ chain: [ImageInfo]) throws -> ImageInfo {
        try SourceImage.check(chain, name: name, holds: inside.contains)
    }

    func message(_ chain: [ImageInfo]) -> String? {
        do {
            _ = try check(chain)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aChainInsideTheDirectoryGivesTheTopImage() throws {
        let top = ImageInfo(virtualSize: 1 << 30, format: "qcow2", filename: "/images/debian.qcow2", backingFile: "/images/base.raw")
        let base = ImageInfo(virtualSize: 1 << 20, format: "raw", filename: "/images/base.raw")
        #expect(try check([top, base]) == top)
        let alone = ImageInfo(virtualSize: 1 << 20, format: "raw", filename: "/images/debian.qcow2")
        #expect(try check([alone]) == alone)
    }

    @Test func aBackingFileOutsideIsRefusedWithoutNamingIt() throws {
        let top = ImageInfo(virtualSize: 1 << 30, format: "qcow2", filename: "/images/debian.qcow2", backingFile: "/etc/shadow")
        let shadow = ImageInfo(virtualSize: 1 << 12, format: "raw", filename: "/etc/shadow")
        let text = try #require(message([top, shadow]))
        #expect(text.contains("its backing image (level 1) lies outside this hypervisor's images directory"), "\(text)")
        #expect(!text.contains("/etc/shadow"))
        // Deeper down, and a layer whose file qemu did not name.
        let middle = ImageInfo(virtualSize: 1 << 30, format: "qcow2", filename: "/images/base.raw", backingFile: "/etc/shadow")
        #expect(message([top, middle, shadow])?.contains("(level 2) lies outside") == true)
        #expect(message([top, ImageInfo(virtualSize: 1, format: "raw")])?.contains("lies outside") == true)
    }

    @Test func otherFormatsDataFilesAndBrokenChainsAreRefused() {
        let vmdk = ImageInfo(virtualSize: 1 << 30, format: "vmdk", filename: "/images/debian.qcow2")
        #expect(message([vmdk])?.contains("is a vmdk image; a source must be a qcow2 or raw image") == true)
        let external = ImageInfo(virtualSize: 1 << 30, format: "qcow2", filename: "/images/debian.qcow2", dataFile: "/dev/sda")
        #expect(message([external])?.contains("external data file") == true)
        #expect(message([external])?.contains("/dev/sda") == false)
        let dangling = ImageInfo(virtualSize: 1 << 30, format: "qcow2", filename: "/images/debian.qcow2", backingFile: "/images/gone")
        #expect(message([dangling])?.contains("cannot be opened") == true)
        #expect(message([])?.contains("reported nothing") == true)
    }
}
