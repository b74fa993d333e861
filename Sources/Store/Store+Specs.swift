import Foundation
import PostgresNIO

extension StoreTransaction {
    /// The number of a spec's first version, as in the seed (`version: 0`).
    public static let firstVersion = 0

    /// Creates a spec with its first version (``firstVersion``) and queues the messages that
    /// announce it, in this transaction.
    ///
    /// - Parameter outbox: builds the messages once the spec id is known, so a body and its
    ///   correlation id can carry it.
    /// - Returns: the new spec's id and creation time.
    public func createSpec(
        _ version: NewSpecVersion,
        isolation: isolated (any Actor)? = #isolation,
        outbox: (_ specID: Int64) throws -> [OutboxMessage] = { _ in [] }
    ) async throws -> (specID: Int64, createdAt: Date) {
        let rows = try await run("""
            WITH spec AS (
                INSERT INTO specs (latest_version, state) VALUES (\(Self.firstVersion), 'pending')
                RETURNING id, created_at
            )
            INSERT INTO spec_versions (spec_id, version, annotations, submitted, resolved, created_at)
            SELECT spec.id, \(Self.firstVersion), \(version.annotations)::jsonb, \(version.submitted)::jsonb,
                   \(version.resolved)::jsonb, spec.created_at
            FROM spec
            RETURNING spec_id, created_at
            """)
        guard let row = rows.first else { throw StoreError.database(code: nil, message: "spec insert returned no row") }
        let (specID, createdAt) = try row.decode((Int64, Date).self)
        try await enqueueOutbox(try outbox(specID))
        versionChanges.append(.accepted)
        return (specID, createdAt)
    }

    /// Appends `version` to a spec whose latest version is `version - 1`, and queues `outbox`, in
    /// this transaction. Of two writers racing for the same next version exactly one succeeds: the
    /// conditional update of `specs.latest_version` serializes them on the spec's row.
    ///
    /// - Returns: the version's creation time.
    /// - Throws: ``StoreError/versionConflict(specID:expected:actual:)`` when the latest version is
    ///   not `version - 1`; ``StoreError/notFound(_:)`` when the spec does not exist.
    @discardableResult
    public func appendVersion(
        specID: Int64, version: Int, _ record: NewSpecVersion, outbox: [OutboxMessage] = []
    ) async throws -> Date {
        let rows = try await run("""
            WITH spec AS (
                UPDATE specs SET latest_version = \(version), state = 'pending'
                WHERE id = \(specID) AND latest_version = \(version - 1)
                RETURNING id
            )
            INSERT INTO spec_versions (spec_id, version, annotations, submitted, resolved)
            SELECT spec.id, \(version), \(record.annotations)::jsonb, \(record.submitted)::jsonb,
                   \(record.resolved)::jsonb
            FROM spec
            RETURNING created_at
            """)
        guard let row = rows.first else {
            guard let spec = try await spec(specID) else { throw StoreError.notFound("spec \(specID)") }
            throw StoreError.versionConflict(specID: specID, expected: version - 1, actual: spec.latestVersion)
        }
        try await enqueueOutbox(outbox)
        versionChanges.append(.accepted)
        return try row.decode(Date.self)
    }

    /// Records the outcome of a spec version. The spec's own state follows when it is the latest
    /// version, so a late result for an old version does not overwrite the newest one's state.
    /// An outcome other than `pending` is reported as ``SpecVersionChange/settled(_:after:)``
    /// once the transaction commits.
    ///
    /// - Throws: ``StoreError/notFound(_:)`` when there is no such version.
    public func setState(
        _ state: SpecState, specID: Int64, version: Int, reason: String? = nil
    ) async throws {
        let rows = try await run("""
            UPDATE spec_versions SET state = \(state.rawValue), reason = \(reason)
            WHERE spec_id = \(specID) AND version = \(version)
            RETURNING EXTRACT(EPOCH FROM clock_timestamp() - created_at)::float8
            """)
        guard let row = rows.first else { throw StoreError.notFound("spec \(specID) version \(version)") }
        if state != .pending {
            versionChanges.append(.settled(state, after: .seconds(try row.decode(Double.self))))
        }
        try await run("""
            UPDATE specs SET state = \(state.rawValue) WHERE id = \(specID) AND latest_version = \(version)
            """)
    }

    /// The spec's head, or nil when there is no such spec.
    public func spec(_ specID: Int64) async throws -> SpecRecord? {
        try await run("SELECT id, created_at, latest_version, state FROM specs WHERE id = \(specID)")
            .first.map { row in
                let (id, createdAt, latest, state) = try row.decode((Int64, Date, Int, String).self)
                return SpecRecord(id: id, createdAt: createdAt, latestVersion: latest, state: try SpecState(stored: state))
            }
    }

    /// One version of a spec, the latest when `version` is nil; nil when there is none.
    public func specVersion(_ specID: Int64, version: Int? = nil) async throws -> SpecVersionRecord? {
        let rows: [PostgresRow]
        if let version {
            rows = try await run("""
                SELECT \(unescaped: Self.versionColumns) FROM spec_versions
                WHERE spec_id = \(specID) AND version = \(version)
                """)
        } else {
            rows = try await run("""
                SELECT \(unescaped: Self.versionColumns) FROM spec_versions
                WHERE spec_id = \(specID) ORDER BY version DESC LIMIT 1
                """)
        }
        return try rows.first.map(Self.specVersion(from:))
    }

    /// Every version of a spec, oldest first (empty when there is no such spec).
    public func specVersions(_ specID: Int64) async throws -> [SpecVersionRecord] {
        try await run("""
            SELECT \(unescaped: Self.versionColumns) FROM spec_versions
            WHERE spec_id = \(specID) ORDER BY version
            """).map(Self.specVersion(from:))
    }

    static let versionColumns = "spec_id, version, annotations, submitted, resolved, state, reason, created_at"

    static func specVersion(from row: PostgresRow) throws -> SpecVersionRecord {
        let (specID, version, annotations, submitted, resolved, state, reason, createdAt) =
            try row.decode((Int64, Int, String, String, String, String, String?, Date).self)
        return SpecVersionRecord(
            specID: specID, version: version, annotations: annotations, submitted: submitted,
            resolved: resolved, state: try SpecState(stored: state), reason: reason, createdAt: createdAt)
    }
}

extension SpecState {
    init(stored: String) throws {
        guard let state = SpecState(rawValue: stored) else {
            throw StoreError.database(code: nil, message: "unknown spec state '\(stored)'")
        }
        self = state
    }
}

extension Store {
    /// See ``StoreTransaction/createSpec(_:isolation:outbox:)``; runs in a transaction of its own.
    public func createSpec(
        _ version: NewSpecVersion,
        isolation: isolated (any Actor)? = #isolation,
        outbox: (_ specID: Int64) throws -> [OutboxMessage] = { _ in [] }
    ) async throws -> (specID: Int64, createdAt: Date) {
        try await withTransaction { tx in
            try await tx.createSpec(version, outbox: outbox)
        }
    }

    /// See ``StoreTransaction/appendVersion(specID:version:_:outbox:)``; runs in a transaction of its own.
    @discardableResult
    public func appendVersion(
        specID: Int64, version: Int, _ record: NewSpecVersion, outbox: [OutboxMessage] = []
    ) async throws -> Date {
        try await withTransaction { tx in
            try await tx.appendVersion(specID: specID, version: version, record, outbox: outbox)
        }
    }

    /// See ``StoreTransaction/setState(_:specID:version:reason:)``.
    public func setState(_ state: SpecState, specID: Int64, version: Int, reason: String? = nil) async throws {
        try await withTransaction { tx in
            try await tx.setState(state, specID: specID, version: version, reason: reason)
        }
    }

    /// See ``StoreTransaction/spec(_:)``.
    public func spec(_ specID: Int64) async throws -> SpecRecord? {
        try await withConnection { tx in try await tx.spec(specID) }
    }

    /// See ``StoreTransaction/specVersion(_:version:)``.
    public func specVersion(_ specID: Int64, version: Int? = nil) async throws -> SpecVersionRecord? {
        try await withConnection { tx in try await tx.specVersion(specID, version: version) }
    }

    /// See ``StoreTransaction/specVersions(_:)``.
    public func specVersions(_ specID: Int64) async throws -> [SpecVersionRecord] {
        try await withConnection { tx in try await tx.specVersions(specID) }
    }
}
