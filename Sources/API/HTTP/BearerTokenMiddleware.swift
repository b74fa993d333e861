import Hummingbird

/// Lets a request through only with `Authorization: Bearer TOKEN` for a configured token.
///
/// Tokens are compared in constant time (every byte of every token is looked at), so the time
/// an answer takes says nothing about how much of a guess was right.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: [[UInt8]]

    init(tokens: [String]) {
        self.tokens = tokens.map { Array($0.utf8) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let presented: [UInt8]
        switch BearerCredentials.parse(request.headers[.authorization]) {
        case .token(let token):
            presented = Array(token.utf8)
        case .missing:
            throw Self.unauthorized("missing `Authorization: Bearer TOKEN`")
        case .otherScheme(let scheme):
            throw Self.unauthorized("the Authorization header uses the scheme '\(scheme)'; this API takes `Authorization: Bearer TOKEN`")
        }
        var accepted = false
        for token in tokens {
            accepted = Self.constantTimeEqual(token, presented) || accepted
        }
        guard accepted else {
            throw Self.unauthorized("the bearer token is not valid")
        }
        return try await next(request, context)
    }

    /// A 401 names the scheme to use (RFC 9110 §11.6.1 requires the challenge).
    static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, message: message, headers: [.wwwAuthenticate: "Bearer realm=\"n0core\""])
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}

/// What an `Authorization` header holds. The scheme is case-insensitive (RFC 7235 §2.1), so
/// `bearer TOKEN` is as good as `Bearer TOKEN`.
enum BearerCredentials: Equatable {
    case token(String)
    /// No header, or one with no token after the scheme.
    case missing
    case otherScheme(String)

    static func parse(_ header: String?) -> BearerCredentials {
        guard let header else { return .missing }
        let words = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let scheme = words.first else { return .missing }
        guard scheme.lowercased() == "bearer" else { return .otherScheme(String(scheme)) }
        guard words.count == 2 else { return .missing }
        return .token(String(words[1]))
    }
}
