import AgentRuntime
import Messages

/// The checks a downloaded image passes before it is renamed into the cache (docs/images.md).
/// Pure over the digest the download computed and what `qemu-img info --backing-chain -f FORMAT`
/// reported, so each refusal is unit-tested.
enum ImageVerification {
    /// - Throws: ``AgentFailure`` when the bytes are not the ones the image object names.
    static func checkDigest(_ actual: String, expected: ImageChecksum, url: ImageURL) throws {
        guard actual.lowercased() == expected.hex else {
            // The digest and size of what came back are not repeated: the URL may lead to a
            // service of the hypervisor's network, whose answers are none of the user's business.
            throw AgentFailure("image checksum mismatch: the bytes downloaded from \(url) do not hash to the image's "
                + "checksum \(expected); nothing was cached. Fix the checksum, or the URL if it serves another file")
        }
    }

    /// A downloaded image stands alone: one layer of the declared format, no backing file, no
    /// external data file, since nothing fetched from elsewhere may name a file of this host.
    /// - Returns: the image's virtual size.
    static func checkDownloaded(_ chain: [ImageInfo], format: ImageFormat, url: ImageURL) throws -> UInt64 {
        guard let top = chain.first else {
            throw AgentFailure("the image downloaded from \(url): qemu-img reported nothing about it; nothing was cached")
        }
        guard top.format == format.rawValue else {
            throw AgentFailure("the image downloaded from \(url) is not a \(format.rawValue) image (qemu-img reads it as "
                + "\(top.format)); nothing was cached. Fix the image's format")
        }
        guard chain.count == 1, top.backingFile == nil else {
            throw AgentFailure("the image downloaded from \(url) has a backing file, which is refused: an image fetched "
                + "from a URL must be self-contained (qemu-img convert makes it so); nothing was cached")
        }
        guard top.dataFile == nil else {
            throw AgentFailure("the image downloaded from \(url) keeps its data in an external data file, which is "
                + "refused; nothing was cached")
        }
        return top.virtualSize
    }

    /// An image object's fields as the volumer uses them.
    struct Fields: Sendable, Hashable {
        var source: ImageSource
        var format: ImageFormat
        var checksum: ImageChecksum?
    }

    /// - Throws: ``AgentFailure`` naming the field (the API checks the same; a message from
    ///   elsewhere is checked again here).
    static func fields(of image: Object) throws -> Fields {
        let what = "image \(image.id?.description ?? "?")"
        guard let sourceText = image.source else { throw AgentFailure("\(what) has no source") }
        guard let formatText = image.format else { throw AgentFailure("\(what) has no format (qcow2 or raw)") }
        func field<Value>(_ key: String, _ parse: () throws(ImageNameError) -> Value) throws -> Value {
            do { return try parse() } catch { throw AgentFailure("\(what): \(key) \(error.message)") }
        }
        let source = try field("source") { () throws(ImageNameError) in try ImageSource(validating: sourceText) }
        let format = try field("format") { () throws(ImageNameError) in try ImageFormat(validating: formatText) }
        let checksum = try image.checksum.map { text in
            try field("checksum") { () throws(ImageNameError) in try ImageChecksum(validating: text) }
        }
        if case .url = source, checksum == nil {
            throw AgentFailure("\(what): checksum is required (sha256:…) for an image fetched from a URL")
        }
        return Fields(source: source, format: format, checksum: checksum)
    }
}
