import Foundation
import AgentRuntime
import Messages
import Testing

@testable import VolumerFile

/// The decisions about a downloaded image, without a host.
@Suite struct ImageVerificationTests {
    static let url = try! ImageURL(validating: "https://images.example.org/debian.qcow2")
    static let checksum = try! ImageChecksum(validating: "sha256:" + String(repeating: "0f", count: 32))

    @Test func aDigestOtherThanTheChecksumIsRefusedWithoutRepeatingIt() throws {
        try ImageVerification.checkDigest(String(repeating: "0F", count: 32), expected: Self.checksum, url: Self.url)
        let error = #expect(throws: AgentFailure.self) {
            try ImageVerification.checkDigest(String(repeating: "aa", count: 32), expected: Self.checksum, url: Self.url)
        }
        #expect(error?.message == "image checksum mismatch: the bytes downloaded from https://images.example.org/debian.qcow2 "
            + "do not hash to the image's checksum \(Self.checksum); nothing was cached. Fix the checksum, or the URL if it "
            + "serves another file")
        #expect(error?.message.contains(String(repeating: "aa", count: 32)) == false)
    }

    @Test func aDownloadedImageIsOneSelfContainedLayerOfItsFormat() throws {
        let good = ImageInfo(virtualSize: 1 << 30, format: "qcow2")
        #expect(try ImageVerification.checkDownloaded([good], format: .qcow2, url: Self.url) == 1 << 30)
        let refusals: [([ImageInfo], ImageFormat, String)] = [
            ([], .qcow2, "qemu-img reported nothing"),
            ([ImageInfo(virtualSize: 1, format: "raw")], .qcow2, "is not a qcow2 image (qemu-img reads it as raw)"),
            ([ImageInfo(virtualSize: 1, format: "qcow2", backingFile: "/etc/shadow")], .qcow2, "has a backing file"),
            ([ImageInfo(virtualSize: 1, format: "qcow2", backingFile: "/x"), ImageInfo(virtualSize: 1, format: "raw")], .qcow2,
             "has a backing file"),
            ([ImageInfo(virtualSize: 1, format: "qcow2", dataFile: "/dev/sda")], .qcow2, "external data file"),
        ]
        for (chain, format, expected) in refusals {
            let error = #expect(throws: AgentFailure.self) { try ImageVerification.checkDownloaded(chain, format: format, url: Self.url) }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "-")")
            #expect(error?.message.contains("nothing was cached") == true)
        }
    }

    @Test func fieldsAreCheckedAgainOnTheAgent() throws {
        let id = ObjectID()
        var image = Object(type: .image, id: id, source: "https://images.example.org/debian.qcow2")
        image.format = "qcow2"
        image.checksum = Self.checksum.description
        #expect(try ImageVerification.fields(of: image) == .init(source: .url(Self.url), format: .qcow2, checksum: Self.checksum))
        var noChecksum = image
        noChecksum.checksum = nil
        #expect(throws: AgentFailure("image \(id): checksum is required (sha256:…) for an image fetched from a URL")) {
            try ImageVerification.fields(of: noChecksum)
        }
        var file = noChecksum
        file.source = "debian.qcow2"
        #expect(try ImageVerification.fields(of: file).checksum == nil, "an image from the images directory needs none")
        var badFormat = image
        badFormat.format = "vmdk"
        #expect(throws: AgentFailure("image \(id): format must be one of qcow2, raw")) { try ImageVerification.fields(of: badFormat) }
    }

    @Test func redirectsLeadOnlyToHTTPURLs() throws {
        #expect(try HTTPImageFetcher.redirectTarget("/b.qcow2", from: "http://127.0.0.1:1/a.qcow2", original: Self.url)
            == "http://127.0.0.1:1/b.qcow2")
        #expect(try HTTPImageFetcher.redirectTarget("https://mirror.example.org/x", from: "http://a/", original: Self.url)
            == "https://mirror.example.org/x")
        for location in ["file:///etc/shadow", "ftp://example.org/a", "gopher://x/"] {
            #expect(throws: AgentFailure.self, "\(location)") {
                try HTTPImageFetcher.redirectTarget(location, from: "http://a/", original: Self.url)
            }
        }
    }

    @Test func cachePathsAreInsideTheImagesDirectoryAndHidden() {
        let cache = ImageCache(root: "/var/lib/n0core/images")
        #expect(cache.path(of: Self.checksum) == "/var/lib/n0core/images/.cache/sha256-" + Self.checksum.hex)
        let partial = cache.partialPath(of: Self.checksum, attempt: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!)
        #expect(partial == "/var/lib/n0core/images/.cache/.sha256-\(Self.checksum.hex).00000000-0000-0000-0000-000000000001.partial")
        #expect(ImageCache.isPartial(fileName: String(partial.split(separator: "/").last!)))
        #expect(!ImageCache.isPartial(fileName: "sha256-" + Self.checksum.hex))
        #expect(throws: ImageNameError.self, "users cannot name the cache as a source") {
            try ImageName(validating: ".cache/sha256-" + Self.checksum.hex)
        }
    }
}
