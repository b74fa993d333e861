import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TestSupport

@testable import API

/// The web view's files at `/ui/`: served without a token, typed, under a strict content
/// security policy, whatever the query string; nothing from outside `api.ui_directory`.
@Suite(.enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct WebViewFilesTests {
    @Test func theFilesAreServedWithoutATokenAndNothingElseIs() async throws {
        try await APIHarness.run { api in
            let redirect = try await api.send(.get, "/ui", token: nil)
            #expect(redirect.status == .movedPermanently)
            #expect(redirect.headers[.location] == "/ui/")

            let page = try await api.send(.get, "/ui/", token: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[.contentSecurityPolicy] == WebViewMiddleware<BasicRequestContext>.contentSecurityPolicy)
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(String(buffer: page.body).contains(#"<script src="app.js""#))

            for (path, type) in [("/ui/app.js?v=2&unknown", "javascript"), ("/ui/style.css?x=%zz", "text/css"),
                                 ("/ui/index.html?token=1&token=2", "text/html")] {
                let response = try await api.send(.get, path, token: nil)
                #expect(response.status == .ok, "\(path)")
                #expect(response.headers[.contentType]?.contains(type) == true, "\(path): \(response.headers[.contentType] ?? "none")")
            }

            // Outside the directory: neither by `..` (as it is or percent-encoded) nor by a
            // neighbouring path. The repository root holds Package.swift, one level up.
            for path in ["/ui/../Package.swift", "/ui/%2e%2e/Package.swift", "/ui/..%2fPackage.swift", "/ui/%2E%2E%2FPackage.swift",
                         "/uiPackage.swift", "/ui2/index.html", "/ui/missing.js", "/ui/app.js/"] {
                let response = try await api.send(.get, path, token: nil)
                #expect([.badRequest, .notFound].contains(response.status), "\(path): \(response.status)")
                #expect(!String(buffer: response.body).contains("PackageDescription"), "\(path)")
            }
            #expect(try await api.send(.post, "/ui/", body: "x", token: nil).status == .notFound)
            #expect(try await api.send(.get, "/api/spec", token: nil).status == .unauthorized, "the API itself still asks for a token")
        }
    }

    /// A symbolic link placed in the directory serves nothing outside it, whatever it points at.
    @Test func linksLeadingOutOfTheDirectoryAreNotFollowed() throws {
        let directory = NSTemporaryDirectory() + "n0core-ui-\(UUID().uuidString.prefix(8))"
        let files = FileManager.default
        try files.createDirectory(atPath: directory + "/inner", withIntermediateDirectories: true)
        defer { try? files.removeItem(atPath: directory) }
        try "<p>n0core</p>".write(toFile: directory + "/index.html", atomically: true, encoding: .utf8)
        try files.createSymbolicLink(atPath: directory + "/page.html", withDestinationPath: "index.html")
        try files.createSymbolicLink(atPath: directory + "/inner/up", withDestinationPath: "..")
        try files.createSymbolicLink(atPath: directory + "/passwd", withDestinationPath: "/etc/passwd")
        try files.createSymbolicLink(atPath: directory + "/etc", withDestinationPath: "/etc")

        let confined = ConfinedFileSystem(directory: directory, logger: Logger(label: "test"))
        #expect(confined.getFileIdentifier("/index.html") != nil)
        #expect(confined.getFileIdentifier("/page.html") != nil, "a link to a file inside is followed")
        #expect(confined.getFileIdentifier("/inner/up/index.html") != nil, "a link back into the directory is inside it")
        #expect(confined.getFileIdentifier("/passwd") == nil)
        #expect(confined.getFileIdentifier("/etc/passwd") == nil)
        #expect(confined.getFileIdentifier("/missing.html") == nil)
    }
}
