import Messages
import Testing

/// Image names: a path relative to a hypervisor's images directory, and nothing that could name
/// another file of the host.
@Suite struct ImageNameTests {
    func refusal(_ text: String) -> String? {
        do {
            _ = try ImageName(validating: text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: ["debian-12.qcow2", "debian/vmlinuz", "a", "x86_64/initrd.img-6.1.0+1", "base_2024.raw"])
    func namesInsideTheDirectoryAreAccepted(_ text: String) throws {
        #expect(try ImageName(validating: text).rawValue == text)
    }

    @Test(arguments: [
        ("file:///etc/shadow", "is a URL"),
        ("http://example.com/debian.qcow2", "is a URL"),
        ("nbd:localhost:10809", "is a URL"),
        ("json:{\"file.filename\":\"/etc/shadow\"}", "is a URL"),
        ("/etc/shadow", "is an absolute path"),
        ("/var/lib/n0core/images/debian.qcow2", "is an absolute path"),
        ("../../etc/shadow", "'..' part"),
        ("debian/../../shadow", "'..' part"),
        ("..", "'..' part"),
        ("./debian.qcow2", "starts with '.'"),
        (".hidden", "starts with '.'"),
        ("debian//vmlinuz", "empty part"),
        ("debian/", "empty part"),
        ("", "is empty"),
        ("debian\u{0}.qcow2", "control characters"),
        ("debian\n.qcow2", "control characters"),
        ("debian\u{7f}.qcow2", "control characters"),
        ("debian\u{85}.qcow2", "control characters"),
        ("de bian.qcow2", "may hold only"),
        ("débian.qcow2", "may hold only"),
        ("a,b.qcow2", "may hold only"),
        ("1st:image", "may hold only"),
        ("~root/x", "may hold only"),
    ])
    func hostPathsURLsAndOddCharactersAreRefused(_ text: String, _ reason: String) {
        let message = refusal(text)
        #expect(message?.contains(reason) == true, "\(text.debugDescription): \(message ?? "accepted")")
        #expect(message?.contains("images directory") == true, "the message says what to give instead")
        #expect(message?.contains("\0") != true && message?.contains("\n") != true, "the text is not repeated")
    }

    @Test func lengthsAreBounded() {
        #expect(refusal(String(repeating: "a", count: 255)) == nil)
        #expect(refusal(String(repeating: "a", count: 256))?.contains("part of 256 bytes") == true)
        let long = Array(repeating: String(repeating: "a", count: 200), count: 6).joined(separator: "/")
        #expect(refusal(long)?.contains("at most 1024") == true)
    }
}
