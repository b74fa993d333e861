import Foundation
import TestSupport

/// The tiny guest of `deploy/guest/build-guest.sh`: a Debian cloud kernel and a busybox
/// initramfs whose init prints its DHCP lease and first disk's size on the serial console.
/// Built at test time (cached between runs), never committed.
struct GuestFixture {
    let kernel: String
    let initrd: String

    static func build() throws -> GuestFixture {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let output = ProcessInfo.processInfo.environment["N0CORE_GUEST_DIR"] ?? "/var/cache/n0core-guest/out"
        try HostCommand.check(["bash", repository.appendingPathComponent("deploy/guest/build-guest.sh").path, output])
        return GuestFixture(kernel: "\(output)/vmlinuz", initrd: "\(output)/initramfs.cpio.gz")
    }
}
