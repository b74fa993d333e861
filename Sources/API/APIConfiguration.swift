import Foundation
import Messages
import ServiceSupport

/// The API's own settings (see `docs/configuration.md`).
public struct APIConfiguration: Sendable {
    /// Where the HTTP API listens, loopback by default.
    public var listen: ListenAddress
    /// Bearer tokens accepted on `/api/`; at least one is required.
    public var tokens: [String]
    /// The largest request body accepted (413 past it): ``documentLimits``' `maxBytes`.
    public var maxBodyBytes: Int {
        get { documentLimits.maxBytes }
        set { documentLimits.maxBytes = newValue }
    }
    /// The shape a request body may have, checked before it is read (`api.max_body_bytes`,
    /// `api.document.*`).
    public var documentLimits: DocumentLimits
    public var limits: SpecLimits
    /// The longest a request's database work may take before it is answered 503
    /// (`api.database_timeout_seconds`, default 10).
    public var databaseTimeout: Duration
    /// How consoles are read (`api.console_timeout_seconds`, `api.console_follow_seconds`).
    public var console = ConsoleSettings()
    /// How event logs are streamed (`api.max_event_streams`, `api.event_stream_seconds`).
    public var eventStreams = EventStreamSettings()
    /// Where the web view's files are (`api.ui_directory`): the repository's `ui/`, installed.
    public var uiDirectory = Self.defaultUIDirectory
    public static let defaultUIDirectory = "/usr/local/share/n0core/ui"

    public init(listen: ListenAddress, tokens: [String], maxBodyBytes: Int = 1 << 20, limits: SpecLimits = SpecLimits(),
                documentLimits: DocumentLimits = .document, databaseTimeout: Duration = .seconds(10)) {
        self.listen = listen
        self.tokens = tokens
        self.documentLimits = documentLimits
        self.documentLimits.maxBytes = maxBodyBytes
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
        // Each bound is capped where the broker's fixed message limits would refuse what the API
        // accepted (DocumentLimits.largestDocument), and below where the arithmetic on it is safe.
        let largest = DocumentLimits.largestDocument
        func bound(_ limit: DocumentLimit, default value: Int) throws -> Int {
            guard let key = Self.key(limit) else { return value }
            return try reader.bounded(key, default: value, in: 1...largest[limit], unit: Self.unit(limit))
        }
        documentLimits = DocumentLimits(
            maxBytes: try bound(.bytes, default: DocumentLimits.document.maxBytes),
            maxNesting: try bound(.nesting, default: DocumentLimits.document.maxNesting),
            maxNodes: try bound(.nodes, default: DocumentLimits.document.maxNodes),
            maxMappingKeys: try bound(.mappingKeys, default: DocumentLimits.document.maxMappingKeys),
            maxScalarBytes: try bound(.scalarBytes, default: DocumentLimits.document.maxScalarBytes))
        limits = SpecLimits(
            maxObjects: try reader.bounded("api.max_objects", default: 512, in: 1...100_000, unit: "objects"),
            maxDepth: try reader.bounded("api.max_depth", default: 8, in: 1...1_000, unit: "levels")
        )
        databaseTimeout = .seconds(try reader.bounded("api.database_timeout_seconds", default: 10, in: 1...3_600, unit: "seconds"))
        console = ConsoleSettings(
            timeout: .seconds(try reader.bounded("api.console_timeout_seconds", default: 5, in: 1...300, unit: "seconds")),
            followLimit: .seconds(try reader.bounded("api.console_follow_seconds", default: 600, in: 1...86_400, unit: "seconds")))
        eventStreams = EventStreamSettings(
            maxStreams: try reader.bounded("api.max_event_streams", default: 256, in: 1...100_000, unit: "streams"),
            streamLimit: .seconds(try reader.bounded("api.event_stream_seconds", default: 3_600, in: 1...86_400, unit: "seconds")))
        uiDirectory = reader.string(forKey: "api.ui_directory", default: Self.defaultUIDirectory)
    }

    /// The configuration key of a document limit, which the API's answers name; none for
    /// anchors, which are never accepted.
    static func key(_ limit: DocumentLimit) -> String? {
        switch limit {
        case .bytes: "api.max_body_bytes"
        case .nesting: "api.document.max_nesting"
        case .nodes: "api.document.max_nodes"
        case .mappingKeys: "api.document.max_mapping_keys"
        case .scalarBytes: "api.document.max_scalar_bytes"
        case .anchors: nil
        }
    }

    static func unit(_ limit: DocumentLimit) -> String {
        switch limit {
        case .bytes, .scalarBytes: "bytes"
        case .nesting: "levels"
        case .nodes: "values"
        case .mappingKeys: "keys"
        case .anchors: ""
        }
    }
}
