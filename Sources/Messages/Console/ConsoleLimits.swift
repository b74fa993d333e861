/// The bounds of one read of a VM's serial log, the same for the API that asks and the agent
/// that reads: a request outside them is refused before any file is opened.
public enum ConsoleLimits {
    /// `?lines=`: how many of the last lines a tail gives.
    public static let lines = 1...10_000
    public static let defaultLines = 100
    /// The most bytes one answer carries (1 MiB), whatever `lines` asks.
    public static let bytes = 1...(1 << 20)
    public static let defaultBytes = 1 << 20
    /// `?offset=`: a byte position in the log.
    public static let offsets: ClosedRange<Int64> = 0...Int64.max
    /// The raw bytes per base64 chunk of a ``ConsoleReplyMessage``: 32 KiB encodes to 43,692
    /// characters, under the 64 KiB a scalar of a message may have (``DocumentLimits/message``).
    public static let chunkBytes = 32 << 10
}

/// Which part of the serial log to read.
public enum ConsoleRange: Sendable, Hashable {
    /// The last `lines` lines (a last line without its newline counts as one).
    case tail(lines: Int)
    /// Everything from byte `offset` on, as far as the byte cap goes: what was appended since a
    /// previous answer's ``ConsoleExcerpt/end``.
    case from(offset: Int64)
}

/// A piece of a serial log as the agent read it.
public struct ConsoleExcerpt: Sendable, Hashable {
    /// The bytes, exactly as the guest wrote them (any encoding, control characters included).
    public var data: [UInt8]
    /// The byte offset in the log of `data`'s first byte.
    public var start: Int64
    /// The size of the log when it was read.
    public var size: Int64

    public init(data: [UInt8], start: Int64, size: Int64) {
        self.data = data
        self.start = start
        self.size = size
    }

    /// Where the next read continues (`?offset=`): just past `data`.
    public var end: Int64 { start + Int64(data.count) }
}
