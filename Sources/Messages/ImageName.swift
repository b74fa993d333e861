/// The name of an image (a disk image, a kernel, an initrd) in a hypervisor's images directory,
/// as a volume's `source` and a VM's `kernel` and `initrd` give it: a path relative to that
/// directory, such as `debian-12.qcow2` or `debian/vmlinuz`.
///
/// Users never name a host path: the operator decides which files guests may see by putting
/// them in the images directory (`volumer.images_directory`, `compute.images_directory`), and
/// the agent resolves the name there, refusing whatever leads outside. This type is the part of
/// that rule that needs no host, shared by the API (a 4xx before anything is stored) and the
/// agents: no URL, no absolute path, no `.` or `..` part, only letters, digits and `._+-`.
public struct ImageName: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    /// Bounds on the name as a whole and on each `/`-separated part (the file system's NAME_MAX).
    public static let maximumLength = 1024
    public static let maximumPartLength = 255

    /// - Throws: ``ImageNameError`` saying what is wrong, without repeating the text (it may
    ///   hold control characters).
    public init(validating text: String) throws(ImageNameError) {
        func fail(_ why: String) -> ImageNameError {
            ImageNameError(message: why + "; give the name of an image in the hypervisor's images directory, "
                + "e.g. debian-12.qcow2 or debian/vmlinuz")
        }
        guard !text.isEmpty else { throw fail("is empty") }
        guard text.utf8.count <= Self.maximumLength else {
            throw fail("is \(text.utf8.count) bytes long; at most \(Self.maximumLength) are allowed")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw fail("contains control characters")
        }
        if Self.looksLikeURL(text) {
            throw fail("is a URL; images are not fetched from URLs or host paths")
        }
        guard !text.hasPrefix("/") else {
            throw fail("is an absolute path; host paths are not accepted, only names inside the images directory")
        }
        for part in text.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { throw fail("has an empty part (a leading, trailing or doubled '/')") }
            if part == ".." { throw fail("has a '..' part, which would lead out of the images directory") }
            if part.hasPrefix(".") { throw fail("has a part that starts with '.'") }
            if part.utf8.count > Self.maximumPartLength {
                throw fail("has a part of \(part.utf8.count) bytes; at most \(Self.maximumPartLength) are allowed")
            }
            guard part.unicodeScalars.allSatisfy(Self.isAllowed) else {
                throw fail("may hold only ASCII letters, digits, '.', '_', '+', '-' and '/'")
            }
        }
        rawValue = text
    }

    public var description: String { rawValue }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "+", "-": true
        default: false
        }
    }

    /// `scheme:` at the start (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
    private static func looksLikeURL(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return scheme.unicodeScalars.allSatisfy { isAllowed($0) && $0 != "_" }
    }
}

/// Why a text is not an ``ImageName``; the message follows the field's name ("source is a URL; …").
public struct ImageNameError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public var description: String { message }
}
