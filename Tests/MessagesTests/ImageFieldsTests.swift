import Testing
@testable import Messages

/// The parts of `resource/image` that need no host: source, checksum, format, and the object's keys.
@Suite struct ImageFieldsTests {
    static let digest = String(repeating: "ab", count: 32)

    @Test func checksumIsSha256AndSixtyFourHexDigits() throws {
        #expect(try ImageChecksum(validating: "sha256:" + Self.digest.uppercased()).hex == Self.digest)
        #expect(try ImageChecksum(validating: "sha256:" + Self.digest).description == "sha256:" + Self.digest)
        for bad in ["", Self.digest, "md5:" + Self.digest, "sha256:" + Self.digest.dropLast(), "sha256:" + Self.digest + "0",
                    "sha256:" + String(repeating: "g", count: 64), "SHA256:" + Self.digest] {
            #expect(throws: ImageNameError.self, "\(bad)") { try ImageChecksum(validating: bad) }
        }
    }

    @Test func formatIsQcow2OrRaw() throws {
        #expect(try ImageFormat(validating: "qcow2") == .qcow2)
        #expect(try ImageFormat(validating: "raw") == .raw)
        let error = #expect(throws: ImageNameError.self) { try ImageFormat(validating: "vmdk") }
        #expect(error?.message == "must be one of qcow2, raw")
    }

    @Test func sourceIsAnHTTPURLOrANameInTheImagesDirectory() throws {
        #expect(try ImageSource(validating: "https://images.example.org/debian-12.qcow2")
            == .url(try ImageURL(validating: "https://images.example.org/debian-12.qcow2")))
        #expect(try ImageSource(validating: "HTTP://127.0.0.1:8080/a?b=c") == .url(try ImageURL(validating: "HTTP://127.0.0.1:8080/a?b=c")))
        #expect(try ImageSource(validating: "debian/base.qcow2") == .file(try ImageName(validating: "debian/base.qcow2")))
        let cases: [(String, String)] = [
            ("file:///etc/shadow", "only http:// and https:// URLs are fetched"),
            ("ftp://example.org/a.qcow2", "only http:// and https:// URLs are fetched"),
            ("/etc/shadow", "is an absolute path"),
            ("../shadow", "'..' part"),
            ("https://", "has no host"),
            ("https:///a.qcow2", "has no host"),
            ("https://user:secret@example.org/a.qcow2", "carries a user or password"),
            ("https://example.org/a b.qcow2", "printable ASCII characters without spaces"),
            ("https://example.org/a.qcow2#x", "has a fragment"),
            ("https://example.org/" + String(repeating: "a", count: 2048), "a URL of at most 2048"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: ImageNameError.self, "\(text)") { try ImageSource(validating: text) }
            #expect(error?.message.contains(expected) == true, "\(text): \(error?.message ?? "-")")
        }
    }

    @Test func anImageCarriesItsFieldsAndOnlyThose() throws {
        let yaml = """
            type: resource/image
            source: https://images.example.org/debian.qcow2
            format: qcow2
            checksum: sha256:\(Self.digest)
            """
        let image = try MessageCodec.decode(Object.self, from: yaml, format: .yaml)
        #expect(image.type == .image)
        #expect(image.format == "qcow2")
        #expect(image.checksum == "sha256:" + Self.digest)
        let json = MessageCodec.encodeString(image, format: .json)
        #expect(try MessageCodec.decode(Object.self, from: json, format: .json) == image)
        let error = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(Object.self, from: "type: resource/image\nsize: 1gb\nformat: raw", format: .yaml)
        }
        #expect(error?.problems.map(\.path) == ["size"])
        let onVolume = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(Object.self, from: "type: resource/volume/file\nsize: 1gb\nchecksum: x", format: .yaml)
        }
        #expect(onVolume?.problems.map(\.path) == ["checksum"])
        let state = #expect(throws: DocumentError.self) {
            try MessageCodec.decode(Object.self, from: "type: resource/image\nstatus: allocated", format: .yaml)
        }
        #expect(state?.problems.first?.message.contains("expected available or deleted") == true)
    }
}
