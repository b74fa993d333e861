import Hummingbird

/// Answers `405 Method Not Allowed` with `Allow` for a path the router serves under another
/// method, where Hummingbird would say 404 (RFC 9110 §15.5.6): `GET /api/spec` is a wrong
/// method, not a missing resource.
///
/// Added to the router after every route, so it wraps only the router's not-found answer: a
/// request reaches it only when no route matched both its path and its method.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each served path, as its components, with the methods it takes.
    let paths: [(components: [RouterPath.Element], methods: [HTTPRequest.Method])]

    init(routes: [Router<Context>.RouteDescription]) {
        var paths: [(components: [RouterPath.Element], methods: [HTTPRequest.Method])] = []
        for route in routes {
            if let index = paths.firstIndex(where: { $0.components.map(\.description) == route.path.components.map(\.description) }) {
                paths[index].methods.append(route.method)
            } else {
                paths.append((route.path.components, [route.method]))
            }
        }
        self.paths = paths
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let segments = request.uri.path.split(separator: "/")
        guard let served = paths.first(where: { Self.matches($0.components, segments) }) else {
            return try await next(request, context)
        }
        let allowed = served.methods.map(\.rawValue).sorted().joined(separator: ", ")
        throw APIError(status: .methodNotAllowed, message: "\(request.method) is not a method of \(request.uri.path); it takes \(allowed)",
                       headers: [.allow: allowed])
    }

    static func matches(_ components: [RouterPath.Element], _ segments: [Substring]) -> Bool {
        components.count == segments.count && zip(components, segments).allSatisfy { $0 ~= $1 }
    }
}
