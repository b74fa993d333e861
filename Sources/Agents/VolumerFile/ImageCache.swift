import Foundation
import Messages

/// Where the volumer keeps what it knows of images, inside the images directory (its real
/// path), so a cached image is a backing file like any other image there (docs/images.md):
///
/// - `.cache/sha256-HEX`: a downloaded image, named by its checksum, so every image object with
///   the same bytes shares one file and a second volume never downloads it again. A file of
///   that name only ever appears by a rename after its checksum and format were verified.
/// - `.cache/.sha256-HEX.ID.partial`: a download in progress; removed when it fails and at start.
/// - `.cache/images/ID`: the image objects this volumer holds, each file naming the image's
///   file (its ``ImageCache/Entry``), so the agent can tell which images use a cached file.
///
/// The leading dot keeps all of it out of the names users may give as a volume's `source`.
/// Pure path mapping; the driver does the I/O.
struct ImageCache: Sendable, Hashable {
    /// The images directory's real path.
    let root: String

    var directory: String { root + "/.cache" }
    var entriesDirectory: String { directory + "/images" }

    func path(of checksum: ImageChecksum) -> String {
        "\(directory)/sha256-\(checksum.hex)"
    }

    func partialPath(of checksum: ImageChecksum, attempt: UUID) -> String {
        "\(directory)/.sha256-\(checksum.hex).\(attempt.uuidString.lowercased()).partial"
    }

    func entryPath(of id: ObjectID) -> String {
        "\(entriesDirectory)/\(id)"
    }

    static func isPartial(fileName: String) -> Bool {
        fileName.hasPrefix(".sha256-") && fileName.hasSuffix(".partial")
    }

    /// What an entry file holds: the real path of the image's file on this host.
    struct Entry: Sendable, Hashable, Codable {
        var path: String
        /// True when the file is a download in the cache (removable), false for the operator's file.
        var cached: Bool
    }
}
