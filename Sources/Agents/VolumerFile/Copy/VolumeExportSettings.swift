import Configuration
import Foundation
import ServiceSupport

/// Copying volumes between volumers (docs/volume-copy.md): where this volumer serves its
/// volumes, the URL it announces for that, the cloud's shared secret, and how long an import
/// keeps trying.
///
/// Without a secret neither serving nor copying is possible, and a `Request` with `copy_from`
/// fails saying to set `volumer.export_secret_file`. The server runs only with `export_listen`,
/// which then needs `export_url` and the secret too.
public struct VolumeExportSettings: Sendable, Hashable {
    /// Where the export server listens; nil = no server.
    public var listen: ListenAddress?
    /// The base URL other volumers use, without a trailing slash; announced as the agent's `url`.
    public var url: String?
    public var secret: ExportSecret?
    /// How long an import retries a volume still in use or a volumer not reachable.
    public var copyTimeout: Duration

    public init(listen: ListenAddress? = nil, url: String? = nil, secret: ExportSecret? = nil,
                copyTimeout: Duration = .seconds(240)) {
        self.listen = listen
        self.url = url
        self.secret = secret
        self.copyTimeout = copyTimeout
    }

    /// What this volumer announces: its export URL while it serves, else nothing, so the
    /// scheduler never moves a volume off a volumer that cannot hand it over.
    var announcedURL: String? {
        listen != nil && secret != nil ? url : nil
    }

    /// - Throws: ``ConfigurationError`` naming the key whose value is not usable.
    init(reader: ConfigReader) throws {
        let listen = try reader.string(forKey: "volumer.export_listen").map {
            try ListenAddress(parsing: $0, key: "volumer.export_listen")
        }
        let url = try reader.string(forKey: "volumer.export_url").map(Self.baseURL)
        let secret = try reader.string(forKey: "volumer.export_secret_file").map {
            try ExportSecret.load(path: $0, key: "volumer.export_secret_file")
        }
        if listen != nil {
            guard url != nil else {
                throw ConfigurationError.missing(key: "volumer.export_url", environment: "N0CORE_VOLUMER_EXPORT_URL")
            }
            guard secret != nil else {
                throw ConfigurationError.missing(key: "volumer.export_secret_file", environment: "N0CORE_VOLUMER_EXPORT_SECRET_FILE")
            }
        }
        let seconds = reader.int(forKey: "volumer.copy_timeout_seconds", default: 240)
        guard seconds > 0 else {
            throw ConfigurationError.invalid(key: "volumer.copy_timeout_seconds", value: "\(seconds)",
                                             expected: "a positive number of seconds")
        }
        self.init(listen: listen, url: url, secret: secret, copyTimeout: .seconds(seconds))
    }

    /// `volumer.export_url` checked to be an http(s) URL with a host and no query, without a
    /// trailing slash.
    static func baseURL(_ text: String) throws -> String {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
        else {
            throw ConfigurationError.invalid(key: "volumer.export_url", value: text,
                                             expected: "an http:// or https:// URL other volumers reach this one at, "
                                                 + "e.g. http://192.0.2.10:8476")
        }
        return trimmed
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.listen == rhs.listen && lhs.url == rhs.url && lhs.secret == rhs.secret && lhs.copyTimeout == rhs.copyTimeout
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(listen?.description)
        hasher.combine(url)
        hasher.combine(secret)
        hasher.combine(copyTimeout)
    }
}
