/// `file://` URLs of files on the hypervisor (a volume's `url`, which its volumer sets), as paths.
/// A VM's `kernel` and `initrd` are not URLs but names in the images directory (``Messages/ImageName``).
enum FileURL {
    /// The absolute path of `file:///path` (percent-escapes decoded); nil for anything else,
    /// including `file://host/path`, since only this host's files can be attached.
    static func path(of url: String) -> String? {
        guard url.hasPrefix("file:///") else { return nil }
        let encoded = url.dropFirst("file://".count)
        guard let path = decode(encoded), path.count > 1, !path.contains("\0") else { return nil }
        return path
    }

    /// `%20` → space; nil for a malformed escape.
    private static func decode(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                  let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
