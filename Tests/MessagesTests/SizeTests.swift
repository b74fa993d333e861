import Testing
@testable import Messages

@Suite struct SizeTests {
    static let valid: [(String, UInt64)] = [
        ("4gb", 4 << 30),
        ("10GB", 10 << 30),
        ("512mb", 512 << 20),
        ("1tb", 1 << 40),
        ("100b", 100),
        ("1kb", 1024),
        ("3Kb", 3 * 1024),
        (" 8 gb ", 8 << 30),
        ("0gb", 0),
        ("16777215tb", 16_777_215 << 40),
    ]

    @Test(arguments: valid)
    func parses(text: String, bytes: UInt64) throws {
        #expect(try Size(parsing: text).bytes == bytes)
    }

    @Test(arguments: [
        ("4zb", "size '4zb': unknown unit 'zb'; expected b, kb, mb, gb or tb"),
        ("-1gb", "size '-1gb': must not be negative"),
        ("gb", "size 'gb': expected a whole number followed by a unit"),
        ("kb", "size 'kb': expected a whole number followed by a unit"),
        ("1.5gb", "size '1.5gb': must be a whole number"),
        ("100", "size '100': missing unit; expected b, kb, mb, gb or tb"),
        ("", "size '': expected a whole number"),
        ("16777216tb", "size '16777216tb': too large"),
        ("99999999999999999999b", "size '99999999999999999999b': too large"),
        ("99999999999tb", "size '99999999999tb': too large; a size is at most 2^64 - 1 bytes (16777215tb)"),
        ("4 g b", "unknown unit 'g b'"),
    ])
    func rejects(text: String, message: String) {
        let error = #expect(throws: SizeError.self) { try Size(parsing: text) }
        #expect(error?.message.hasPrefix(message) == true || error?.message.contains(message) == true,
                "\(error?.message ?? "")")
    }

    @Test(arguments: [
        (Size(4, .gb), "4gb"),
        (Size(bytes: 10 << 30), "10gb"),
        (Size(1536, .mb), "1536mb"),
        (Size(bytes: 1025), "1025b"),
        (Size(2048, .gb), "2tb"),
        (Size(bytes: 0), "0b"),
    ])
    func canonicalForm(size: Size, text: String) {
        #expect(size.description == text)
        #expect(Size(text) == size)
    }

    @Test func codableAsString() throws {
        let object = Object(type: .volumeFile, size: Size(bytes: 10 << 30))
        #expect(MessageCodec.encodeString(object, format: .json) == #"{"size":"10gb","type":"resource/volume/file"}"#)
        let decoded = try MessageCodec.decode(Object.self, from: "type: resource/volume/file\nsize: 10240MB", format: .yaml)
        #expect(decoded.size == Size(10, .gb))
        #expect(MessageCodec.encodeString(decoded, format: .yaml).contains("size: 10gb"))
    }

    @Test func ordering() {
        #expect(Size(1, .gb) < Size(1025, .mb))
        #expect(Size(1, .tb) == Size(1024, .gb))
    }
}
