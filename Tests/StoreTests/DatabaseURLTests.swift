import Foundation
import PostgresNIO
import Store
import Testing

@Suite("DatabaseURL")
struct DatabaseURLTests {
    @Test func parsesEveryPart() throws {
        let url = try DatabaseURL("postgres://n0core:s%40cret@db.example:6543/control?sslmode=require")
        #expect(url.username == "n0core")
        #expect(url.password == "s@cret")
        #expect(url.host == "db.example")
        #expect(url.port == 6543)
        #expect(url.database == "control")
        #expect(url.tlsMode == .require)
        let configuration = url.configuration
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "n0core")
        #expect(configuration.password == "s@cret")
        #expect(configuration.database == "control")
    }

    @Test func descriptionMasksThePassword() throws {
        let url = try DatabaseURL("postgres://n0core:hunter2@127.0.0.1:55432/n0core")
        #expect(!url.description.contains("hunter2"))
        #expect(url.description == "postgres://n0core:***@127.0.0.1:55432/n0core?sslmode=disable")
    }

    /// A remote database is never reached unverified unless the URL says so.
    @Test func loopbackDefaultsToNoTLSAndOtherHostsToVerifyFull() throws {
        #expect(try DatabaseURL("postgres://u:p@127.0.0.1/db").tlsMode == .disable)
        #expect(try DatabaseURL("postgresql://u:p@localhost/db").tlsMode == .disable)
        #expect(try DatabaseURL("postgres://u:p@[::1]:5432/db").host == "::1")
        #expect(try DatabaseURL("postgres://u:p@[::1]:5432/db").tlsMode == .disable)
        #expect(try DatabaseURL("postgres://u@/db?host=/var/run/postgresql").tlsMode == .disable)
        #expect(try DatabaseURL("postgres://u:p@db.internal/db").tlsMode == .verifyFull)
        #expect(try DatabaseURL("postgres://u:p@10.0.0.5/db").tlsMode == .verifyFull)
        #expect(try DatabaseURL("postgres://u:p@db.internal/db?sslmode=disable").tlsMode == .disable)
        #expect(try DatabaseURL("postgres://u:p@db.internal/db?sslmode=prefer").tlsMode == .prefer)
        #expect(try DatabaseURL("postgres://u:p@db.internal/db?sslmode=allow").tlsMode == .prefer)
        #expect(try DatabaseURL("postgres://u:p@db.internal/db?sslmode=verify-ca").tlsMode == .verifyCA)
        #expect(try DatabaseURL("postgres://u:p@db.internal/db").description
            == "postgres://u:***@db.internal:5432/db?sslmode=verify-full")
    }

    /// Certificate files are read while parsing: a daemon stops at start-up naming the
    /// parameter, instead of a pool that fails every connection later.
    @Test func unreadableCertificateFilesNameTheirParameter() throws {
        func reason(_ text: String) -> String {
            do {
                _ = try DatabaseURL(text)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let base = "postgres://u:p@db.internal/db?sslmode=verify-full"
        #expect(reason(base + "&sslrootcert=/nonexistent/ca.pem").contains("sslrootcert: cannot read PEM certificates from /nonexistent/ca.pem"))
        #expect(reason(base + "&sslcert=/nonexistent/client.pem").contains("sslcert needs sslkey"))
        #expect(reason(base + "&sslkey=/nonexistent/client.key").contains("sslkey needs sslcert"))
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("n0core-not-pem-\(UUID())").path
        try "not a certificate".write(toFile: notPEM, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: notPEM) }
        #expect(reason(base + "&sslrootcert=\(notPEM)").hasPrefix("invalid database URL: sslrootcert:"))
    }

    @Test func defaultsPortAndDatabase() throws {
        let url = try DatabaseURL("postgres://alice@localhost")
        #expect(url.port == 5432)
        #expect(url.database == "alice")
        #expect(url.password == nil)
    }

    @Test func unixSocketFromHostParameter() throws {
        let url = try DatabaseURL("postgres://n0core@/n0core?host=/var/run/postgresql")
        #expect(url.unixSocketDirectory == "/var/run/postgresql")
        #expect(url.configuration.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
    }

    @Test func rejectsWhatItCannotUse() {
        #expect(throws: StoreError.self) { try DatabaseURL("mysql://u:p@localhost/db") }
        #expect(throws: StoreError.self) { try DatabaseURL("postgres://localhost/db") }
        #expect(throws: StoreError.self) { try DatabaseURL("postgres://u@localhost/db?sslmode=sometimes") }
    }
}
