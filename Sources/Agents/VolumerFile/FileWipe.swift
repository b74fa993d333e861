import Foundation

/// Overwrites a file's bytes with zeros and flushes them to disk (for `destroyed` volumes).
enum FileWipe {
    static func overwriteWithZeros(_ path: String, chunk: Int = 1 << 20) throws {
        guard let handle = FileHandle(forUpdatingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        let length = try handle.seekToEnd()
        try handle.seek(toOffset: 0)
        let zeros = Data(count: chunk)
        var written: UInt64 = 0
        while written < length {
            try Task.checkCancellation()
            let count = Int(min(UInt64(chunk), length - written))
            try handle.write(contentsOf: count == chunk ? zeros : zeros.prefix(count))
            written += UInt64(count)
        }
        try handle.synchronize()
    }
}
