import CLibvirt
import Foundation

/// libvirt's default event loop, registered once per process and run on a thread of its own.
///
/// The embedded QEMU driver (`qemu:///embed`) watches its guests' monitors through it (that is
/// how it notices a guest powering off), and remote connections (`qemu:///system`) send their
/// keepalives through it. It must be registered before the first connection is opened.
enum LibvirtEventLoop {
    /// Registers the loop and starts its thread, the first time only.
    static func start() {
        _ = started
    }

    private static let started: Void = {
        // Errors come back to the caller as ``LibvirtError``; without a handler libvirt would
        // also print each one to standard error.
        virSetErrorFunc(nil) { _, _ in }
        if virEventRegisterDefaultImpl() < 0 {
            // Only fails when out of memory; connections then fail with their own error.
            virResetLastError()
            return
        }
        let thread = Thread {
            while true {
                if virEventRunDefaultImpl() < 0 {
                    virResetLastError()
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }
        }
        thread.name = "libvirt: events"
        thread.start()
    }()
}
