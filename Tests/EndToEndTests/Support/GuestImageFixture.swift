import Foundation
import TestSupport

/// The bootable guest image of `deploy/guest/build-image.sh` (docs/guest-image.md): boot loader,
/// kernel, a NoCloud reader and an SSH server on a qcow2 disk. Built at test time from Debian
/// packages and cached between runs (a cached build returns in a fraction of a second), never
/// committed.
struct GuestImageFixture {
    /// The image as built; a rebuild replaces it, so volumes never back onto this path.
    let path: String
    static let name = "n0core-guest.qcow2"

    static func build() throws -> GuestImageFixture {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let output = ProcessInfo.processInfo.environment["N0CORE_GUEST_IMAGE_DIR"] ?? "/var/cache/n0core-guest"
        try HostCommand.check(["bash", repository.appendingPathComponent("deploy/guest/build-image.sh").path, output])
        return GuestImageFixture(path: "\(output)/\(name)")
    }

    /// Copies the image into a hypervisor's images directory, where a volume's `source` finds
    /// it, and gives the name a spec uses.
    func install(in imagesDirectory: String) throws -> String {
        let target = "\(imagesDirectory)/\(Self.name)"
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: path, toPath: target)
        return Self.name
    }
}
