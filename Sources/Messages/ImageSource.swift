/// Where a `resource/image` comes from: an `http`/`https` URL the volumer downloads (once per
/// hypervisor, with a checksum), or the name of a file the operator already put in the images
/// directory (``ImageName``). Nothing else: no `file://`, no host path.
public enum ImageSource: Sendable, Hashable, CustomStringConvertible {
    case url(ImageURL)
    case file(ImageName)

    /// - Throws: ``ImageNameError`` saying what is wrong with the text.
    public init(validating text: String) throws(ImageNameError) {
        let lower = text.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            self = .url(try ImageURL(validating: text))
        } else {
            do {
                self = .file(try ImageName(validating: text))
            } catch {
                throw ImageNameError(message: error.message.replacing(
                    "images are not fetched from URLs or host paths", with: "only http:// and https:// URLs are fetched"))
            }
        }
    }

    public var description: String {
        switch self {
        case .url(let url): url.description
        case .file(let name): name.description
        }
    }
}

/// An `http`/`https` URL of an image: absolute, with a host, at most ``maximumLength`` bytes,
/// without user or password (they would be stored in the spec and shown by every read) and
/// without control characters or spaces. Pure text checks; the volumer parses it again to fetch.
public struct ImageURL: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public static let maximumLength = 2048

    public init(validating text: String) throws(ImageNameError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw ImageNameError(message: "is \(text.utf8.count) bytes long; a URL of at most \(Self.maximumLength) is allowed")
        }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7f }) else {
            throw ImageNameError(message: "must be a URL of printable ASCII characters without spaces (percent-encode the rest)")
        }
        let lower = text.lowercased()
        let scheme = lower.hasPrefix("https://") ? "https://" : lower.hasPrefix("http://") ? "http://" : nil
        guard let scheme else {
            throw ImageNameError(message: "must be an http:// or https:// URL")
        }
        let rest = text.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty else {
            throw ImageNameError(message: "has no host; write e.g. https://images.example.org/debian-12.qcow2")
        }
        guard !authority.contains("@") else {
            throw ImageNameError(message: "carries a user or password, which would be stored and shown with the spec; "
                + "publish the image where it can be fetched without them")
        }
        guard !text.contains("#") else {
            throw ImageNameError(message: "has a fragment ('#'), which means nothing to a download")
        }
        rawValue = text
    }

    public var description: String { rawValue }
}
