import AgentRuntime
import Foundation
import Logging

/// The directory of libvirt's embedded QEMU driver (`qemu:///embed?root=DIR`), prepared before
/// the first connection.
///
/// Without libvirtd, nothing else provides what the driver needs: `DIR/etc/qemu.conf` must send
/// QEMU's output to plain files (`stdio_handler = "file"`; otherwise the driver dials the
/// system's virtlogd) and run QEMU as root like the agent (there may be no `libvirt-qemu`
/// user). An existing `qemu.conf` is an operator's and is left alone.
struct EmbeddedRoot: Sendable, Hashable {
    /// QEMU's monitor sockets live at `DIR/lib/qemu/domain-N-n0-<20 characters>/monitor.sock`,
    /// about 55 bytes past `DIR`, and a Unix socket path has at most 107.
    static let maximumPathLength = 48

    static let qemuConf = """
        # Written by n0core-compute-kvm for libvirt's embedded QEMU driver; edit freely, the
        # agent does not overwrite an existing file.
        stdio_handler = "file"
        user = "root"
        group = "root"

        """

    let path: String

    var qemuConfPath: String { "\(path)/etc/qemu.conf" }

    /// Checks the path's length and writes `qemu.conf` if there is none.
    /// - Throws: ``AgentRuntime/AgentFailure`` saying what to change.
    func prepare(logger: Logger) throws {
        guard path.utf8.count <= Self.maximumPathLength else {
            throw AgentFailure("the embedded libvirt root \(path) is \(path.utf8.count) bytes long; QEMU's sockets "
                + "under it would not fit a Unix socket path. Use a root of at most \(Self.maximumPathLength) bytes "
                + "in compute.libvirt_uri, e.g. qemu:///embed?root=/var/lib/n0core/qemu")
        }
        let manager = FileManager.default
        do {
            try OwnerOnly.createDirectory(atPath: "\(path)/etc")
            if manager.fileExists(atPath: qemuConfPath) {
                logger.debug("keeping the embedded driver's qemu.conf", metadata: ["path": "\(qemuConfPath)"])
            } else {
                try Data(Self.qemuConf.utf8).write(to: URL(fileURLWithPath: qemuConfPath), options: .atomic)
                logger.info("wrote the embedded driver's qemu.conf", metadata: ["path": "\(qemuConfPath)"])
            }
        } catch {
            throw AgentFailure("cannot prepare the embedded libvirt root \(path): \(error.localizedDescription); "
                + "check that the agent may write there")
        }
    }
}
