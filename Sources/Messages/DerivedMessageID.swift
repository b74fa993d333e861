/// A `message_id` computed from what a message answers, so that sending the same answer again
/// (a redelivered `Request` applied a second time) yields the same id and the receiver's
/// deduplication recognises the repeat. A UUID of version 8 (RFC 9562, custom) built from two
/// 64-bit FNV-1a hashes of the parts: stable across processes and releases, not a secret.
public enum DerivedMessageID {
    public static func make(_ parts: [String]) -> String {
        let text = parts.joined(separator: "\u{1F}")
        var high = fnv1a(text, basis: 0xcbf2_9ce4_8422_2325)
        var low = fnv1a(text, basis: 0x6c62_272e_07bb_0142)
        high = (high & ~0xF000) | 0x8000                     // version 8
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000  // RFC 9562 variant
        let characters = Array(hexadecimal(high) + hexadecimal(low))
        func slice(_ start: Int, _ end: Int) -> String { String(characters[start..<end]) }
        return [slice(0, 8), slice(8, 12), slice(12, 16), slice(16, 20), slice(20, 32)].joined(separator: "-")
    }

    private static func fnv1a(_ text: String, basis: UInt64) -> UInt64 {
        var hash = basis
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    private static func hexadecimal(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
