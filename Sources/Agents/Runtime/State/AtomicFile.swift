import Foundation

/// Writes a small file so a crash leaves either the old or the new content, never half of it:
/// write a temporary file beside it, then rename over it. The file is its owner's only (0600,
/// ``OwnerOnly``): held objects and kept Notifies describe other tenants' resources.
public enum AtomicFile {
    public static func write(_ data: Data, to file: URL) throws {
        let temporary = file.deletingLastPathComponent()
            .appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try OwnerOnly.createFile(atPath: temporary.path, contents: data)
            if rename(temporary.path, file.path) != 0 {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
