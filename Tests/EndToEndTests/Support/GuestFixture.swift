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

    /// Copies the kernel and initramfs into a hypervisor's images directory, the only place a
    /// VM's `kernel` and `initrd` may come from, and gives the names a spec uses for them.
    func install(in imagesDirectory: String) throws -> (kernel: String, initrd: String) {
        let manager = FileManager.default
        try manager.createDirectory(atPath: "\(imagesDirectory)/n0guest", withIntermediateDirectories: true)
        let names = (kernel: "n0guest/vmlinuz", initrd: "n0guest/initramfs.cpio.gz")
        for (source, name) in [(kernel, names.kernel), (initrd, names.initrd)] {
            try? manager.removeItem(atPath: "\(imagesDirectory)/\(name)")
            try manager.copyItem(atPath: source, toPath: "\(imagesDirectory)/\(name)")
        }
        return names
    }
}
