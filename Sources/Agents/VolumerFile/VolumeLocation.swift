import Messages

/// Where a volume's file is and how it is named on the wire: `DATA_DIR/ID`, and the URL
/// `file:///DATA_DIR/ID` (seed 5.2). Pure, so the mapping is tested without a host.
struct VolumeLocation: Sendable, Hashable {
    /// Absolute, without a trailing slash.
    let dataDirectory: String

    init(dataDirectory: String) {
        var directory = dataDirectory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        self.dataDirectory = directory
    }

    func path(of id: ObjectID) -> String {
        "\(dataDirectory == "/" ? "" : dataDirectory)/\(id)"
    }

    /// Where a volume is built before it is renamed into place, so a crash never leaves a
    /// half-made file under the volume's own name. Hidden (leading dot) and cleaned at start.
    func temporaryPath(of id: ObjectID) -> String {
        "\(dataDirectory == "/" ? "" : dataDirectory)/.\(id).creating"
    }

    func url(of id: ObjectID) -> String {
        Self.fileURL(path(of: id))
    }

    /// The volume a file name in the data directory belongs to, if it is one.
    func volumeID(fileName: String) -> ObjectID? {
        ObjectID(fileName).flatMap { $0.description == fileName ? $0 : nil }
    }

    static func fileURL(_ path: String) -> String {
        "file://\(path)"
    }
}
