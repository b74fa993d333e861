import AgentRuntime
import Foundation
import Messages

/// A volume moved off a draining host (`Request.copy_from`, docs/volume-copy.md): made here as
/// a copy of the volume another volumer holds, fetched from its export server.
///
/// The discipline of a new volume holds: the file is built under the temporary name (0600 from
/// the start) and renamed into place only once it is a checked, complete qcow2 image of the
/// asked size over this host's backing image, so the volume's own name never holds a partial
/// copy and a retry starts afresh.
extension VolumerFileDriver {
    func copy(id: ObjectID, bytes: UInt64, backing: (path: String, format: String)?, from source: VolumeCopySource) async throws {
        guard let secret = export.secret else {
            throw AgentFailure("volume \(id) is to be copied from agent \(source.agentID), but this volumer has no "
                + "volumer.export_secret_file (N0CORE_VOLUMER_EXPORT_SECRET_FILE); set it to the cloud's shared export "
                + "secret, the same file content on every volumer, and restart the volumer")
        }
        let temporary = location.temporaryPath(of: id)
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try OwnerOnly.createFile(atPath: temporary, contents: Data())
            let download = VolumeDownload(source: source, volume: id, secret: secret, timeout: export.copyTimeout,
                                          limit: VolumeDownload.limit(forVolumeOf: bytes))
            logger.info("copying a volume from another volumer", metadata: [
                "volume": "\(id)", "agent": "\(source.agentID)", "url": "\(source.url)"])
            let written = try await download.run(into: temporary)
            try await adopt(temporary, id: id, bytes: bytes, backing: backing, from: source)
            try OwnerOnly.restrict(temporary)
            try Task.checkCancellation()
            guard rename(temporary, location.path(of: id)) == 0 else {
                throw AgentFailure("cannot move the copied volume into place at \(location.path(of: id)): "
                    + String(cString: strerror(errno)))
            }
            logger.info("copied a volume from another volumer", metadata: [
                "volume": "\(id)", "agent": "\(source.agentID)", "bytes": "\(written)"])
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Makes the downloaded file this host's volume: a qcow2 image only (opened as qcow2, never
    /// probed, with no external data file), no larger than asked, over this host's copy of its
    /// backing image, grown to the asked size.
    private func adopt(_ path: String, id: ObjectID, bytes: UInt64, backing: (path: String, format: String)?,
                       from source: VolumeCopySource) async throws {
        let from = "the copy of volume \(id) from agent \(source.agentID)"
        let info: ImageInfo
        do {
            info = try await qemuImage.info(path, format: "qcow2")
        } catch is CommandFailure {
            throw AgentFailure("\(from) is not a qcow2 image; nothing was kept. The old volumer served something other "
                + "than a volume")
        }
        guard info.dataFile == nil else {
            throw AgentFailure("\(from) keeps its data in an external file, which is refused; nothing was kept")
        }
        guard info.virtualSize <= bytes else {
            throw AgentFailure("\(from) is \(Size(bytes: info.virtualSize)), larger than the volume's size "
                + "\(Size(bytes: bytes)); nothing was kept. Apply the volume with its real size")
        }
        switch (info.backingFile, backing) {
        case (nil, nil):
            break
        case (.some, let backing?):
            // The old host's path of the image means nothing here; the same image is at this
            // host's path, so only the name in the header changes.
            try await qemuImage.rebaseUnsafe(path, backing: backing)
        case (nil, .some):
            throw AgentFailure("\(from) is a standalone image, but the volume has a source here; nothing was kept")
        case (let found?, nil):
            throw AgentFailure("\(from) is an overlay of \(found) on its old host, but the volume has no source here to "
                + "back it; nothing was kept")
        }
        if info.virtualSize < bytes {
            try await qemuImage.resize(path, bytes: bytes)
        }
    }
}
