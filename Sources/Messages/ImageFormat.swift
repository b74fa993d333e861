/// The on-disk format a `resource/image` declares. The volumer opens the image as this format
/// only (never probing), so a raw image whose bytes look like a qcow2 header cannot make qemu
/// follow a backing file the header names.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable {
    case qcow2
    case raw

    /// - Throws: ``ImageNameError`` (a field message) listing the formats.
    public init(validating text: String) throws(ImageNameError) {
        guard let format = ImageFormat(rawValue: text) else {
            throw ImageNameError(message: "must be one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = format
    }
}
