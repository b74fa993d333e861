import AgentRuntime
import Foundation
import Messages

/// Reads a piece of a serial log file within bounds: the last lines (a tail), or what follows a
/// byte offset. At most `maxBytes` are read, whatever the file's size.
///
/// A tail is whole lines: when the byte cap cuts into the first of the lines asked for, that
/// partial line is left out (unless it is the only one, which then comes cut). A last line
/// without its newline counts as a line. An offset past the end means the file was replaced
/// (the VM deleted and made again): the read starts over at 0, and the excerpt's `start` says so.
///
/// The file is opened without following a symbolic link and must be a regular file: the
/// console directory is the agent's own, and nothing there may lead elsewhere.
public enum ConsoleLogFile {
    /// The excerpt, or nil when there is no such file.
    public static func read(path: String, range: ConsoleRange, maxBytes: Int) throws -> ConsoleExcerpt? {
        let cap = max(1, min(maxBytes, ConsoleLimits.bytes.upperBound))
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP { throw AgentFailure("the serial log \(path) is a symbolic link; it is not followed") }
            throw AgentFailure("cannot open the serial log \(path): \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw AgentFailure("cannot read the serial log \(path): \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw AgentFailure("the serial log \(path) is not a regular file")
        }
        let size = Int64(status.st_size)
        switch range {
        case .from(let offset):
            let start = (0...size).contains(offset) ? offset : 0
            let data = try readBytes(descriptor, path: path, at: start, count: Int(min(size - start, Int64(cap))))
            return ConsoleExcerpt(data: data, start: start, size: size)
        case .tail(let lines):
            let windowStart = size - min(size, Int64(cap))
            let window = try readBytes(descriptor, path: path, at: windowStart, count: Int(size - windowStart))
            let skip = tailStart(of: window, lines: max(1, lines), cut: windowStart > 0)
            return ConsoleExcerpt(data: Array(window[skip...]), start: windowStart + Int64(skip), size: size)
        }
    }

    /// Where the last `lines` lines of `window` begin. `cut`: the window does not start at the
    /// beginning of the file, so its first line may be partial.
    static func tailStart(of window: [UInt8], lines: Int, cut: Bool) -> Int {
        let newline = UInt8(ascii: "\n")
        var index = window.count - 1
        // A trailing newline ends the last line; it does not start another.
        if window.last == newline { index -= 1 }
        var found = 0
        while index >= 0 {
            if window[index] == newline {
                found += 1
                if found == lines { return index + 1 }
            }
            index -= 1
        }
        // Fewer lines than asked: all of them, less a first line the cap cut (unless it is all).
        guard cut, let first = window.firstIndex(of: newline), first + 1 < window.count else { return 0 }
        return first + 1
    }

    private static func readBytes(_ descriptor: Int32, path: String, at offset: Int64, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw AgentFailure("cannot read the serial log \(path): \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            filled += got
        }
        return Array(bytes[..<filled])
    }
}
