import AgentRuntime
import Crypto
import Foundation
import Messages

/// An image's file on this host, verified, ready to be a backing file.
struct LocalImage: Sendable, Hashable {
    /// Real path, inside the images directory.
    var path: String
    var format: ImageFormat
    var virtualSize: UInt64
    /// A download in the cache (the agent may remove it), not the operator's file.
    var cached: Bool

    /// The backing of a new volume of `bytes`, which must be at least the image's size.
    func backing(for bytes: UInt64) throws -> (path: String, format: String) {
        guard bytes >= virtualSize else {
            throw AgentFailure("size \(Size(bytes: bytes)) is smaller than the image's virtual size "
                + "\(Size(bytes: virtualSize)); the guest would see a cut-off disk. Ask for at least \(Size(bytes: virtualSize))")
        }
        return (path, format.rawValue)
    }
}

/// `resource/image` (docs/images.md): `available` = the image's file is on this host, verified,
/// with `url` its `file://` path; `deleted` = this volumer no longer holds the image, and a
/// downloaded file is removed unless another image or a volume on this host still uses it.
extension VolumerFileDriver {
    var imageCache: ImageCache? {
        (try? images.realRoot()).map(ImageCache.init(root:))
    }

    func applyImage(_ object: Object) async throws -> ApplyOutcome {
        guard let id = object.id else { throw AgentFailure("the image has no id") }
        var result = object
        if object.desiredState == "deleted" {
            result.url = nil
            return ApplyOutcome(object: result, message: try await removeImage(id))
        }
        let image = try await localImage(object)
        let cache = try requireCache()
        // QEMU (maybe another user) passes through .cache to cached backing files; the entries
        // are the agent's own.
        try OwnerOnly.createDirectory(atPath: cache.directory, mode: Self.dataDirectoryMode)
        try OwnerOnly.createDirectory(atPath: cache.entriesDirectory)
        let entry = ImageCache.Entry(path: image.path, cached: image.cached)
        try AtomicFile.write(MessageCodec.encode(entry, format: .json), to: URL(fileURLWithPath: cache.entryPath(of: id)))
        result.url = VolumeLocation.fileURL(image.path)
        return ApplyOutcome(object: result)
    }

    /// The image's verified file on this host: the operator's file for a name, the cached
    /// download for a URL, downloading it first (once per checksum) when it is not here yet.
    func localImage(_ object: Object) async throws -> LocalImage {
        let fields = try ImageVerification.fields(of: object)
        switch fields.source {
        case .file(let name):
            let path = try images.resolve(name, field: "image source")
            if let checksum = fields.checksum {
                let digest = try Self.sha256(ofFile: path)
                guard digest == checksum.hex else {
                    throw AgentFailure("image checksum mismatch: \(name) in the images directory does not hash to the "
                        + "image's checksum \(checksum); the file was changed or the checksum is wrong")
                }
            }
            let top = try SourceImage.check(try await qemuImage.chain(path), name: name, holds: images.holds)
            guard top.format == fields.format.rawValue else {
                throw AgentFailure("image source \(name) is a \(top.format) image, not \(fields.format.rawValue) as the image says")
            }
            return LocalImage(path: path, format: fields.format, virtualSize: top.virtualSize, cached: false)
        case .url(let url):
            guard let checksum = fields.checksum else { throw AgentFailure("an image from a URL needs a checksum") }
            let cache = try requireCache()
            let path = cache.path(of: checksum)
            return try await fetchLocks.withLock(checksum.hex) {
                if !FileManager.default.fileExists(atPath: path) {
                    try await download(url, checksum: checksum, format: fields.format, cache: cache)
                }
                // A cached file was verified before it got its name; its size is read again.
                let info = try await qemuImage.info(path, format: fields.format.rawValue)
                return LocalImage(path: path, format: fields.format, virtualSize: info.virtualSize, cached: true)
            }
        }
    }

    /// Downloads into a partial file, verifies digest then format, and renames it into the cache.
    private func download(_ url: ImageURL, checksum: ImageChecksum, format: ImageFormat, cache: ImageCache) async throws {
        do {
            try OwnerOnly.createDirectory(atPath: cache.directory, mode: Self.dataDirectoryMode)
        } catch {
            throw AgentFailure("cannot create the image cache \(cache.directory): \(error.localizedDescription); the volumer "
                + "needs to write in its images directory (volumer.images_directory) to cache images")
        }
        let partial = cache.partialPath(of: checksum, attempt: UUID())
        logger.info("downloading an image", metadata: ["url": "\(url)", "checksum": "\(checksum)"])
        do {
            let fetched = try await fetcher.fetch(url, into: partial, settings: fetchSettings)
            try ImageVerification.checkDigest(fetched.sha256, expected: checksum, url: url)
            // qemu-img reads only bytes whose digest matched, and only as the declared format.
            let chain: [ImageInfo]
            do {
                chain = try await qemuImage.chain(partial, format: format.rawValue)
            } catch is CommandFailure {
                throw AgentFailure("the image downloaded from \(url) is not a \(format.rawValue) image (qemu-img cannot "
                    + "open it as one); nothing was cached. Fix the image's format")
            }
            _ = try ImageVerification.checkDownloaded(chain, format: format, url: url)
            try OwnerOnly.restrict(partial)
            guard rename(partial, cache.path(of: checksum)) == 0 else {
                throw AgentFailure("cannot move the downloaded image into the cache: " + String(cString: strerror(errno)))
            }
            logger.info("cached an image", metadata: ["url": "\(url)", "bytes": "\(fetched.bytes)"])
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Forgets image `id` on this host; removes its downloaded file when nothing else here uses it.
    /// - Returns: the sentence for the Notify when the file stays.
    private func removeImage(_ id: ObjectID) async throws -> String? {
        guard let cache = imageCache else { return nil }
        let entryPath = cache.entryPath(of: id)
        guard let data = FileManager.default.contents(atPath: entryPath),
              let entry = try? MessageCodec.decode(ImageCache.Entry.self, from: data, format: .json)
        else { return nil }
        try FileManager.default.removeItem(atPath: entryPath)
        guard entry.cached, FileManager.default.fileExists(atPath: entry.path) else { return nil }
        let others = imageEntries(cache).filter { $0.value.path == entry.path }.map(\.key)
        if !others.isEmpty {
            return "Succeeded to delete resource; its cached file stays for images \(others.map(\.description).sorted().joined(separator: ", "))."
        }
        let users = try await volumes(backedBy: entry.path)
        if !users.isEmpty {
            return "Succeeded to delete resource; its cached file stays while volumes "
                + "\(users.map(\.description).joined(separator: ", ")) on this host are made from it."
        }
        try FileManager.default.removeItem(atPath: entry.path)
        return nil
    }

    /// The images this volumer holds, by id, with their entries.
    func imageEntries(_ cache: ImageCache) -> [ObjectID: ImageCache.Entry] {
        var result: [ObjectID: ImageCache.Entry] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: cache.entriesDirectory)) ?? [] {
            guard let id = ObjectID(name), id.description == name,
                  let data = FileManager.default.contents(atPath: cache.entryPath(of: id)),
                  let entry = try? MessageCodec.decode(ImageCache.Entry.self, from: data, format: .json) else { continue }
            result[id] = entry
        }
        return result
    }

    /// Held images as found: `url` only while the file is still there.
    func imageInventory() -> [Object] {
        guard let cache = imageCache else { return [] }
        return imageEntries(cache).sorted { $0.key < $1.key }.map { id, entry in
            Object(type: .image, id: id, url: FileManager.default.fileExists(atPath: entry.path)
                ? VolumeLocation.fileURL(entry.path) : nil)
        }
    }

    /// The volumes in the data directory whose backing file is `path`; a volume qemu-img cannot
    /// read counts as one, so a file is never removed on a guess.
    func volumes(backedBy path: String) async throws -> [ObjectID] {
        var users: [ObjectID] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: location.dataDirectory).sorted() {
            guard let id = location.volumeID(fileName: name) else { continue }
            let info = try? await qemuImage.info(location.path(of: id))
            if info == nil || info?.backingFile == path { users.append(id) }
        }
        return users
    }

    /// Downloads a crash interrupted.
    func removePartialDownloads() {
        guard let cache = imageCache,
              let names = try? FileManager.default.contentsOfDirectory(atPath: cache.directory) else { return }
        for name in names where ImageCache.isPartial(fileName: name) {
            logger.info("removing an image download left unfinished", metadata: ["file": "\(name)"])
            try? FileManager.default.removeItem(atPath: "\(cache.directory)/\(name)")
        }
    }

    private func requireCache() throws -> ImageCache {
        ImageCache(root: try images.realRoot())
    }

    /// SHA-256 of a file, hex, read in chunks.
    static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw AgentFailure("cannot read \(path) to verify its checksum")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hash.update(data: chunk)
        }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
