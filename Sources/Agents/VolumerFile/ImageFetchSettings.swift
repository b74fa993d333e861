import Configuration
import Messages
import ServiceSupport

/// Bounds on downloading an image (docs/images.md): a download larger than ``maximumSize`` is
/// stopped (before it starts when the server says its length), and one that takes longer than
/// ``timeout`` is abandoned. Either way nothing is left in the cache.
public struct ImageFetchSettings: Sendable, Hashable {
    public var maximumSize: Size
    public var timeout: Duration
    /// Redirects followed, each to an http(s) URL only.
    public var maximumRedirects: Int

    public init(maximumSize: Size = Size(16, .gb), timeout: Duration = .seconds(240), maximumRedirects: Int = 5) {
        self.maximumSize = maximumSize
        self.timeout = timeout
        self.maximumRedirects = maximumRedirects
    }

    /// - Throws: ``ConfigurationError`` naming the key whose value is not usable.
    init(reader: ConfigReader) throws {
        let text = reader.string(forKey: "volumer.image_max_size", default: "16gb")
        guard let size = Size(text), size.bytes > 0 else {
            throw ConfigurationError.invalid(key: "volumer.image_max_size", value: text, expected: "a size such as 16gb")
        }
        let seconds = reader.int(forKey: "volumer.image_fetch_timeout_seconds", default: 240)
        guard seconds > 0 else {
            throw ConfigurationError.invalid(key: "volumer.image_fetch_timeout_seconds", value: "\(seconds)",
                                             expected: "a positive number of seconds")
        }
        self.init(maximumSize: size, timeout: .seconds(seconds))
    }
}
