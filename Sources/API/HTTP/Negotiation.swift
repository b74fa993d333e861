import NIOCore
import Hummingbird
import Messages

/// Which format a request body is in and which one the answer should be in.
///
/// A body is read by its `Content-Type` (YAML when there is none, since YAML also reads JSON);
/// any type other than YAML or JSON is refused (415), never guessed at. The answer follows
/// `Accept` when it names JSON or YAML, and otherwise the body's format, so a user who posts
/// YAML reads YAML back.
struct Negotiation {
    var request: WireFormat
    var response: WireFormat
    /// The request's `Content-Type` when it names neither YAML nor JSON.
    var unreadableContentType: String?

    init(_ request: Request, defaultResponse: WireFormat = .json) {
        let header = request.headers[.contentType]
        let contentType = header.flatMap { WireFormat(contentType: $0) }
        if contentType == nil { unreadableContentType = header }
        self.request = contentType ?? .yaml
        let accepted = request.headers[.accept].flatMap { header in
            header.split(separator: ",").lazy.compactMap { WireFormat(contentType: String($0)) }.first
        }
        self.response = accepted ?? contentType ?? defaultResponse
    }

    /// `value` as a response in the negotiated format.
    func respond<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: response.contentType + "; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: MessageCodec.encode(value, format: response)))
        )
    }
}

/// Turns thrown errors into answers in the negotiated format, so every failure, including
/// Hummingbird's own (413, 404 route), reads the same.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// `api.max_body_bytes`, named in the 413 answer.
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            var response = Negotiation(request).respond(ErrorBody(error), status: error.status)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch is NIOTooManyBytesError {
            let error = APIError(status: .contentTooLarge, message: "the body is larger than \(maxBodyBytes) bytes, the most "
                + "this API accepts (api.max_body_bytes, N0CORE_API_MAX_BODY_BYTES)")
            return Negotiation(request).respond(ErrorBody(error), status: error.status)
        } catch let error as HTTPError {
            let message = error.body ?? error.status.reasonPhrase
            return Negotiation(request).respond(ErrorBody(APIError(status: error.status, message: message)), status: error.status)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            let body = ErrorBody(APIError(status: .internalServerError, message: "internal error; the request id is in the server log"))
            return Negotiation(request).respond(body, status: .internalServerError)
        }
    }
}
