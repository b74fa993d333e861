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
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError(status: .unauthorized, message: "missing `Authorization: Bearer TOKEN`")
        }
        let presented = Array(header.dropFirst("Bearer ".count).utf8)
        var accepted = false
        for token in tokens {
            accepted = Self.constantTimeEqual(token, presented) || accepted
        }
        guard accepted else {
            throw APIError(status: .unauthorized, message: "the bearer token is not valid")
        }
        return try await next(request, context)
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
