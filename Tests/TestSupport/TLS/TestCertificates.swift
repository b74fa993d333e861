import Foundation

/// Certificates made with the `openssl` command for one test suite, in a directory of its own:
/// a CA, a server certificate it signed for `localhost` and `127.0.0.1` (not `127.0.0.2`, so a
/// test can reach the same server under a name its certificate does not hold), a client
/// certificate it signed, and a second CA that signed nothing here (trusting it must fail).
/// P-256 keys, valid for two days, keys unencrypted.
public struct TestCertificates: Sendable {
    public let directory: String

    public var caFile: String { "\(directory)/ca.pem" }
    public var otherCAFile: String { "\(directory)/other-ca.pem" }
    public var serverCertificateFile: String { "\(directory)/server.pem" }
    public var serverKeyFile: String { "\(directory)/server.key" }
    public var clientCertificateFile: String { "\(directory)/client.pem" }
    public var clientKeyFile: String { "\(directory)/client.key" }

    /// The names the server certificate holds.
    public static let serverDNSName = "localhost"
    public static let serverAddress = "127.0.0.1"
    /// A loopback address the server also listens on but its certificate does not name.
    public static let unnamedAddress = "127.0.0.2"

    /// Makes every file in `directory` (created if needed). The client certificate's common
    /// name is `clientName` (PostgreSQL's `clientcert=verify-full` compares it to the user).
    public static func make(in directory: String, clientName: String) throws -> TestCertificates {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try certificates.makeCA(name: "ca", subject: "n0core test CA")
        try certificates.makeCA(name: "other-ca", subject: "n0core unrelated test CA")
        try certificates.makeLeaf(
            name: "server", subject: Self.serverDNSName, usage: "serverAuth",
            alternativeNames: "DNS:\(Self.serverDNSName),IP:\(Self.serverAddress)")
        try certificates.makeLeaf(name: "client", subject: clientName, usage: "clientAuth", alternativeNames: nil)
        return certificates
    }

    private func makeCA(name: String, subject: String) throws {
        try HostCommand.check([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).pem", "-days", "2",
            "-subj", "/CN=\(subject)",
        ])
    }

    private func makeLeaf(name: String, subject: String, usage: String, alternativeNames: String?) throws {
        var extensions = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=\(usage)\n"
        if let alternativeNames { extensions += "subjectAltName=\(alternativeNames)\n" }
        let extensionFile = "\(directory)/\(name).ext"
        try extensions.write(toFile: extensionFile, atomically: true, encoding: .utf8)
        try HostCommand.check([
            "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr", "-subj", "/CN=\(subject)",
        ])
        try HostCommand.check([
            "openssl", "x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", caFile, "-CAkey", "\(directory)/ca.key",
            "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-days", "2",
            "-out", "\(directory)/\(name).pem", "-extfile", extensionFile,
        ])
    }
}
