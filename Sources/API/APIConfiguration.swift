import Foundation
import ServiceSupport

/// The API's own settings (see `docs/configuration.md`).
public struct APIConfiguration: Sendable {
    /// Where the HTTP API listens, loopback by default.
    public var listen: ListenAddress
    /// Bearer tokens accepted on `/api/`; at least one is required.
    public var tokens: [String]
    /// The largest request body accepted (413 past it).
    public var maxBodyBytes: Int
    public var limits: SpecLimits
    /// The longest a request's database work may take before it is answered 503
    /// (`api.database_timeout_seconds`, default 10).
    public var databaseTimeout: Duration

    public init(listen: ListenAddress, tokens: [String], maxBodyBytes: Int = 1 << 20, limits: SpecLimits = SpecLimits(),
                databaseTimeout: Duration = .seconds(10)) {
        self.listen = listen
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.limits = limits
        self.databaseTimeout = databaseTimeout
    }

    /// Reads `api.*` keys; refuses to start without a token, since every `/api/` route needs one.
    public init(_ configuration: ServiceConfiguration) throws {
        let reader = configuration.reader
        listen = try ListenAddress(parsing: reader.string(forKey: "api.listen", default: "127.0.0.1:8080"), key: "api.listen")
        tokens = (reader.string(forKey: "api.tokens", isSecret: true) ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !tokens.isEmpty else {
            throw ConfigurationError.missing(key: "api.tokens", environment: "N0CORE_API_TOKENS")
        }
        maxBodyBytes = reader.int(forKey: "api.max_body_bytes", default: 1 << 20)
        limits = SpecLimits(
            maxObjects: reader.int(forKey: "api.max_objects", default: 512),
            maxDepth: reader.int(forKey: "api.max_depth", default: 8)
        )
        let timeout = reader.int(forKey: "api.database_timeout_seconds", default: 10)
        guard timeout > 0 else {
            throw ConfigurationError.invalid(key: "api.database_timeout_seconds", value: "\(timeout)",
                                             expected: "a positive number of seconds")
        }
        databaseTimeout = .seconds(timeout)
    }
}
