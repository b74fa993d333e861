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

    /// The absolute path of a `file://` URL (`file:///images/debian.qcow2`); nil for anything else.
    static func path(ofFileURL url: String) -> String? {
        guard url.hasPrefix("file:///") else { return nil }
        let path = String(url.dropFirst("file://".count))
        guard !path.contains("\0"), path.count > 1 else { return nil }
        return path.removingPercentEncodingIfValid
    }
}

private extension String {
    /// `%20` → space, as URLs spell it; the text unchanged when it has no valid escapes.
    var removingPercentEncodingIfValid: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
               let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) {
                bytes.append(value)
            } else if byte == UInt8(ascii: "%") {
                return self
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
