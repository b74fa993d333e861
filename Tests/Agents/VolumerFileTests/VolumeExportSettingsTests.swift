import AgentRuntime
import Foundation
import ServiceSupport
import Testing

@testable import VolumerFile

/// `volumer.export_*` and `volumer.copy_timeout_seconds`.
@Suite struct VolumeExportSettingsTests {
    func settings(_ environment: [String: String]) async throws -> VolumeExportSettings {
        let loaded = try await ServiceConfiguration.load(file: nil, environment: environment)
        return try VolumerFileConfiguration(reader: loaded.reader).export
    }

    /// A secret file with `content` and `mode`, removed after `body`.
    func withSecretFile(_ content: String, mode: mode_t = 0o600, _ body: (String) async throws -> Void) async throws {
        let path = NSTemporaryDirectory() + "n0core-export-secret-\(UUID().uuidString.lowercased())"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(content.utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(chmod(path, mode) == 0)
        try await body(path)
    }

    let goodSecret = String(repeating: "ab", count: 32) + "\n"

    @Test func offByDefault() async throws {
        let defaults = try await settings([:])
        #expect(defaults == VolumeExportSettings())
        #expect(defaults.listen == nil && defaults.secret == nil && defaults.announcedURL == nil)
        #expect(defaults.copyTimeout == .seconds(240))
    }

    @Test func aServingVolumerAnnouncesItsURL() async throws {
        try await withSecretFile(goodSecret) { path in
            let set = try await settings([
                "N0CORE_VOLUMER_EXPORT_LISTEN": "0.0.0.0:8476", "N0CORE_VOLUMER_EXPORT_URL": "http://192.0.2.10:8476/",
                "N0CORE_VOLUMER_EXPORT_SECRET_FILE": path, "N0CORE_VOLUMER_COPY_TIMEOUT_SECONDS": "120",
            ])
            #expect(set.listen == ListenAddress(host: "0.0.0.0", port: 8476))
            #expect(set.url == "http://192.0.2.10:8476", "without the trailing slash")
            #expect(set.announcedURL == "http://192.0.2.10:8476")
            #expect(set.copyTimeout == .seconds(120))
            #expect(set.secret == ExportSecret(bytes: Array(String(repeating: "ab", count: 32).utf8)), "the newline is not part of it")
            // The daemon runs the export server, and the driver announces the URL.
            let loaded = try await ServiceConfiguration.load(file: nil, environment: [
                "N0CORE_VOLUMER_EXPORT_LISTEN": "127.0.0.1:0", "N0CORE_VOLUMER_EXPORT_URL": "https://volumer-1.example:8476",
                "N0CORE_VOLUMER_EXPORT_SECRET_FILE": path,
            ])
            let configuration = try VolumerFileConfiguration(reader: loaded.reader)
            let runner = ProcessCommandRunner(logger: VolumeTestEnvironment.logger)
            #expect(VolumeExportServer(configuration: configuration, runner: runner, logger: VolumeTestEnvironment.logger) != nil)
            #expect(VolumerFileDriver(configuration: configuration, runner: runner, logger: VolumeTestEnvironment.logger)
                .announcedURL == "https://volumer-1.example:8476")
            let plain = VolumerFileConfiguration(dataDirectory: "/srv/volumes")
            #expect(VolumeExportServer(configuration: plain, runner: runner, logger: VolumeTestEnvironment.logger) == nil)
            #expect(VolumerFileDriver(configuration: plain, runner: runner, logger: VolumeTestEnvironment.logger).announcedURL == nil)
            // A volumer that only imports needs the secret alone, and announces nothing.
            let importing = try await settings(["N0CORE_VOLUMER_EXPORT_SECRET_FILE": path])
            #expect(importing.secret != nil && importing.announcedURL == nil)
        }
    }

    @Test func listeningNeedsAURLAndASecret() async throws {
        try await withSecretFile(goodSecret) { path in
            await #expect(throws: ConfigurationError.missing(key: "volumer.export_url", environment: "N0CORE_VOLUMER_EXPORT_URL")) {
                try await settings(["N0CORE_VOLUMER_EXPORT_LISTEN": "0.0.0.0:8476", "N0CORE_VOLUMER_EXPORT_SECRET_FILE": path])
            }
            await #expect(throws: ConfigurationError.missing(key: "volumer.export_secret_file",
                                                             environment: "N0CORE_VOLUMER_EXPORT_SECRET_FILE")) {
                try await settings(["N0CORE_VOLUMER_EXPORT_LISTEN": "0.0.0.0:8476", "N0CORE_VOLUMER_EXPORT_URL": "http://h:8476"])
            }
            for url in ["ftp://h/x", "h:8476", "http://", "http://h:8476/?a=b", "file:///etc"] {
                await #expect(throws: ConfigurationError.self, "\(url)") {
                    try await settings(["N0CORE_VOLUMER_EXPORT_LISTEN": "0.0.0.0:8476", "N0CORE_VOLUMER_EXPORT_URL": url,
                                        "N0CORE_VOLUMER_EXPORT_SECRET_FILE": path])
                }
            }
            await #expect(throws: ConfigurationError.self) { try await settings(["N0CORE_VOLUMER_COPY_TIMEOUT_SECONDS": "0"]) }
        }
    }

    /// A secret others can read, or too short to be one, is refused naming the key, never quoting it.
    @Test func aWeakOrExposedSecretIsRefused() async throws {
        try await withSecretFile(goodSecret, mode: 0o640) { path in
            let error = try #require(throws: ConfigurationError.self) {
                try VolumeExportSettings.secretForTest(path)
            }
            #expect("\(error)".contains("volumer.export_secret_file"))
            #expect("\(error)".contains("owner only"))
            #expect(!"\(error)".contains("abab"))
        }
        try await withSecretFile("short secret\n") { path in
            let error = try #require(throws: ConfigurationError.self) { try VolumeExportSettings.secretForTest(path) }
            #expect("\(error)".contains("at least 32 bytes"))
            #expect(!"\(error)".contains("short secret"))
        }
        await #expect(throws: ConfigurationError.self) {
            try await settings(["N0CORE_VOLUMER_EXPORT_SECRET_FILE": "/nonexistent/n0core-secret"])
        }
        await #expect(throws: ConfigurationError.self) { try await settings(["N0CORE_VOLUMER_EXPORT_SECRET_FILE": "relative"]) }
    }
}

extension VolumeExportSettings {
    static func secretForTest(_ path: String) throws -> ExportSecret {
        try ExportSecret.load(path: path, key: "volumer.export_secret_file")
    }
}
