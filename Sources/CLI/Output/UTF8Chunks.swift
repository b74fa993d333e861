/// Turns bytes that arrive in arbitrary chunks into text without cutting a UTF-8 character in
/// two: an incomplete sequence at a chunk's end waits for the next chunk.
struct UTF8Chunks {
    private var pending: [UInt8] = []

    mutating func append(_ bytes: some Sequence<UInt8>) -> String {
        pending += bytes
        let end = Self.completeEnd(pending)
        let text = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeFirst(end)
        return text
    }

    /// What is left at the end of the stream (invalid bytes become U+FFFD).
    mutating func finish() -> String {
        defer { pending = [] }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The index after the last complete sequence: a trailing lead byte whose continuation
    /// bytes have not all arrived is held back.
    static func completeEnd(_ bytes: [UInt8]) -> Int {
        var index = bytes.count
        var continuation = 0
        while index > 0, continuation < 3 {
            let byte = bytes[index - 1]
            if byte & 0b1100_0000 == 0b1000_0000 {
                continuation += 1
                index -= 1
                continue
            }
            let length = byte >= 0b1111_0000 ? 4 : byte >= 0b1110_0000 ? 3 : byte >= 0b1100_0000 ? 2 : 1
            return length > continuation + 1 ? index - 1 : bytes.count
        }
        return bytes.count
    }
}
