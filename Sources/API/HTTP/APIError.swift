import Hummingbird
import Messages

/// An error the API answers with: a status, a message, and for documents every problem with
/// the path of its field. Rendered in the format the client asked for.
struct APIError: Error, Sendable {
    var status: HTTPResponse.Status
    var message: String
    var problems: [FieldProblem]
    /// Headers the answer carries besides its content type: `Retry-After` (503), `Allow` (405),
    /// `WWW-Authenticate` (401), as the OpenAPI document lists them.
    var headers: HTTPFields

    init(status: HTTPResponse.Status, message: String, problems: [FieldProblem] = [], retryAfterSeconds: Int? = nil,
         headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.problems = problems
        self.headers = headers
        if let retryAfterSeconds { self.headers[.retryAfter] = String(retryAfterSeconds) }
    }

    /// A document that cannot be used: 400 when it is not the right shape at all (syntax,
    /// unknown keys, wrong types), 422 when it parses but breaks a rule.
    static func invalid(_ error: DocumentError, status: HTTPResponse.Status) -> APIError {
        APIError(status: status, message: "the document is not valid: \(error.problems.count) problem(s)", problems: error.problems)
    }

    static func notFound(_ what: String) -> APIError {
        APIError(status: .notFound, message: "\(what) does not exist")
    }
}

/// The body of every error answer.
struct ErrorBody: Encodable {
    struct Problem: Encodable {
        var path: String
        var message: String
    }

    var error: String
    var status: Int
    var problems: [Problem]?

    init(_ error: APIError) {
        self.error = error.message
        self.status = error.status.code
        self.problems = error.problems.isEmpty ? nil : error.problems.map { Problem(path: $0.path, message: $0.message) }
    }
}
