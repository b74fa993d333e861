import Hummingbird
import Logging

/// Serves the web view at `/ui/`: the files of `api.ui_directory` (the repository's `ui/`,
/// installed), and `/ui` redirected to `/ui/` so the page's relative addresses resolve.
///
/// No token is asked for here: the files hold no data, and every `/api` call the page makes
/// carries the token the user gives it. Only GET and HEAD of files inside the directory are
/// answered (``ConfinedFileSystem``); the query string is not read.
struct WebViewMiddleware<Context: RequestContext>: RouterMiddleware {
    static var path: String { "/ui" }

    /// The page loads only its own script and style and talks only to this API: an injected
    /// script or style from elsewhere would not run.
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    let files: FileMiddleware<Context, ConfinedFileSystem>

    init(directory: String, logger: Logger) {
        let provider = ConfinedFileSystem(directory: directory, logger: logger)
        if provider.getFileIdentifier("index.html") == nil {
            logger.notice("the web view has no index.html; /ui/ answers 404",
                           metadata: ["api.ui_directory": "\(directory)"])
        }
        files = FileMiddleware(fileProvider: provider, urlBasePath: Self.path, searchForIndexHtml: true)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == Self.path, request.method == .get || request.method == .head {
            return .redirect(to: Self.path + "/" + (request.uri.query.map { "?\($0)" } ?? ""), type: .permanent)
        }
        guard path.hasPrefix(Self.path + "/") else { return try await next(request, context) }
        var response = try await files.handle(request, context: context, next: next)
        if response.status.code < 400 {
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
            response.headers[.xContentTypeOptions] = "nosniff"
            // Revalidated on every load (the ETag makes that cheap), so an upgrade shows at once.
            response.headers[.cacheControl] = "no-cache"
        }
        return response
    }
}
