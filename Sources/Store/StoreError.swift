import PostgresNIO
import _ConnectionPoolModule

/// What went wrong in the store, in the terms a caller can act on.
///
/// The database's own error is translated here so that callers never need to know SQLSTATE codes:
/// a unique violation is ``duplicate(constraint:message:)``, a serialization failure or deadlock is
/// ``retryable(_:)`` (run the whole transaction again), a lost or refused connection is
/// ``unavailable(_:)``. Anything else keeps the database's code and message in
/// ``database(code:message:)``. Messages never include bound values, only what the server said.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Someone else wrote the next version first: the writer based its change on version
    /// `expected`, but the spec's latest version is `actual`. Re-read and try again (or tell the
    /// user their edit is stale).
    case versionConflict(specID: Int64, expected: Int, actual: Int)
    /// The row an update needs (a spec, a spec version) does not exist.
    case notFound(String)
    /// A unique constraint refused the row (for example an outbox message id used twice).
    case duplicate(constraint: String, message: String)
    /// A document is not valid JSON (the `jsonb` cast refused it).
    case invalidDocument(String)
    /// A serialization failure or deadlock: nothing was written, and the same transaction can be
    /// run again.
    case retryable(String)
    /// The database cannot be reached, refused the connection or dropped it.
    case unavailable(String)
    /// The database URL cannot be used.
    case invalidURL(String)
    /// Any other database error, with its SQLSTATE code when the server sent one.
    case database(code: String?, message: String)

    public var description: String {
        switch self {
        case let .versionConflict(specID, expected, actual):
            "spec \(specID): version conflict, expected latest version \(expected) but it is \(actual)"
        case let .notFound(what): "not found: \(what)"
        case let .duplicate(constraint, message): "duplicate (\(constraint)): \(message)"
        case let .invalidDocument(message): "invalid JSON document: \(message)"
        case let .retryable(message): "transaction must be retried: \(message)"
        case let .unavailable(message): "database unavailable: \(message)"
        case let .invalidURL(message): "invalid database URL: \(message)"
        case let .database(code?, message): "database error \(code): \(message)"
        case let .database(nil, message): "database error: \(message)"
        }
    }
}

extension StoreError {
    /// Translates whatever PostgresNIO threw. A `StoreError` passes through unchanged, as does
    /// any error that is not the database's (a caller's own error thrown inside a transaction).
    static func from(_ error: any Error) -> any Error {
        switch error {
        case let error as StoreError:
            return error
        case let error as PSQLError:
            return from(error)
        case let error as ConnectionPoolError where error == .connectionCreationCircuitBreakerTripped:
            // The pool gave up connecting for a while and fails requests at once: an outage like
            // any other, which ends when the pool's background retries reach the server again.
            return StoreError.unavailable("the connection pool cannot reach the database (circuit breaker open)")
        case let error as ConnectionPoolError where error == .poolShutdown:
            return StoreError.unavailable("the connection pool is shut down")
        case let error as PostgresDecodingError:
            return StoreError.database(
                code: nil,
                message: "cannot decode column \(error.columnName) (\(error.postgresType)) as \(error.targetType)")
        default:
            return error
        }
    }

    static func from(_ error: PSQLError) -> StoreError {
        if let info = error.serverInfo {
            let code = info[.sqlState]
            let message = [info[.message], info[.detail]].compactMap { $0 }.joined(separator: ": ")
            switch code {
            case "23505":
                return .duplicate(constraint: info[.constraintName] ?? "", message: message)
            case "40001", "40P01", "55P03", "57014":
                // Serialization failure, deadlock, lock_timeout, statement_timeout: the
                // transaction was rolled back and may be run again.
                return .retryable(message)
            case "25P03":
                // idle_in_transaction_session_timeout ended the session.
                return .unavailable(message)
            case "22P02", "22032":
                return .invalidDocument(message)
            case let code? where code.hasPrefix("08") || code.hasPrefix("57P"):
                return .unavailable(message)
            default:
                return .database(code: code, message: message)
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed,
             .uncleanShutdown, .sslUnsupported, .failedToAddSSLHandler:
            let underlying = error.underlying.map { ": \($0)" } ?? ""
            return .unavailable("\(error.code)\(underlying)")
        default:
            let underlying = error.underlying.map { ": \($0)" } ?? ""
            return .database(code: nil, message: "\(error.code)\(underlying)")
        }
    }
}

/// Runs `body`, translating database errors into ``StoreError``s.
@inline(__always)
func translatingErrors<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws -> sending T
) async throws -> sending T {
    do {
        return try await body()
    } catch {
        throw StoreError.from(error)
    }
}
