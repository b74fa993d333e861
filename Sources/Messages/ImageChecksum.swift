/// An image's expected digest as a `resource/image` gives it: `sha256:` and 64 hex digits. The
/// volumer refuses a fetched image whose bytes do not hash to it. Only SHA-256: one algorithm
/// that every image publisher prints (`sha256sum`), and no weak one to fall back to.
public struct ImageChecksum: Sendable, Hashable, CustomStringConvertible {
    /// The 64 hex digits, lower case.
    public let hex: String

    public static let prefix = "sha256:"

    /// - Throws: ``ImageNameError`` (a field message) saying what is wrong; the text is not repeated.
    public init(validating text: String) throws(ImageNameError) {
        guard text.hasPrefix(Self.prefix) else {
            throw ImageNameError(message: "must start with 'sha256:' followed by the image's 64 hex-digit SHA-256 "
                + "digest (as sha256sum prints it)")
        }
        let digits = text.dropFirst(Self.prefix.count)
        guard digits.utf8.count == 64, digits.unicodeScalars.allSatisfy(Self.isHexDigit) else {
            throw ImageNameError(message: "must be 'sha256:' followed by exactly 64 hex digits")
        }
        hex = digits.lowercased()
    }

    /// `sha256:…`, lower case.
    public var description: String { Self.prefix + hex }

    private static func isHexDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "a"..."f", "A"..."F": true
        default: false
        }
    }
}
