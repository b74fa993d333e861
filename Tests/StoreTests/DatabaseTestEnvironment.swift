import Foundation
import PostgresNIO
import Store
import Testing

/// Where the integration tests find their database: `N0CORE_DATABASE_URL`.
///
/// Without it the database suites are skipped with a loud reason on a developer's machine, but
/// under CI (`CI=true`) they run and fail, so a CI that forgot to start PostgreSQL cannot pass by
/// testing nothing. Every test makes its own data (fresh spec ids and UUIDs), so the suites run in
/// parallel and again and again against one database; tests that need a table to themselves (the
/// outbox relay, migrations from nothing) get a schema of their own.
enum DatabaseTestEnvironment {
    static let variable = "N0CORE_DATABASE_URL"

    static var urlString: String? {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else { return nil }
        return value
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The condition of the database suites' `.enabled(if:)` trait.
    static let isEnabled: Bool = {
        if urlString != nil || isCI { return true }
        print("""
            ******************************************************************************
            SKIPPING the store's database tests: \(variable) is not set.
            Set it to a PostgreSQL database, e.g.
              \(variable)=postgres://n0core:n0core@127.0.0.1:5432/n0core
            (With CI=true these tests fail instead of being skipped.)
            ******************************************************************************
            """)
        return false
    }()

    /// Runs `body` with a store on a running client, migrated unless `migrate` is false, whose
    /// connections use `schema` (when given) as their search path.
    static func withStore(
        schema: String? = nil, migrate: Bool = true, _ body: (Store) async throws -> Void
    ) async throws {
        guard let urlString else {
            Issue.record("""
                \(variable) is not set but CI=true: the store's integration tests need a PostgreSQL \
                database, e.g. postgres://n0core:n0core@127.0.0.1:5432/n0core
                """)
            return
        }
        var configuration = try DatabaseURL(urlString).configuration
        configuration.options.maximumConnections = 8
        if let schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        let client = PostgresClient(configuration: configuration)
        let store = Store(client: client)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            if migrate {
                try await store.migrate()
            }
            try await body(store)
        }
    }

    /// Runs `body` against a fresh, empty schema of its own, dropped afterwards.
    static func withIsolatedSchema(migrate: Bool = true, _ body: (Store) async throws -> Void) async throws {
        try await withStore(migrate: false) { admin in
            let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await admin.client.query("CREATE SCHEMA \(unescaped: schema)")
            do {
                try await withStore(schema: schema, migrate: migrate, body)
            } catch {
                _ = try? await admin.client.query("DROP SCHEMA \(unescaped: schema) CASCADE")
                throw error
            }
            try await admin.client.query("DROP SCHEMA \(unescaped: schema) CASCADE")
        }
    }
}

/// JSON as data, for comparing documents regardless of key order and spacing (`jsonb` keeps
/// neither).
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    init(_ text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}

/// Collects values from concurrent tasks.
actor Collector<Value: Sendable> {
    private(set) var values: [Value] = []
    func append(contentsOf more: [Value]) { values.append(contentsOf: more) }
}
