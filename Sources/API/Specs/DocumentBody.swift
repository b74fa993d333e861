import Foundation
import Messages

/// A request body read as a spec document, with the content-type mistakes a newcomer makes
/// named in the answer instead of a bare syntax error.
enum DocumentBody {
    /// The body in `format` (the request's `Content-Type`), within `limits`; 400 naming every
    /// problem. A body labelled JSON that is YAML says so, since "not valid JSON" alone sends one
    /// looking for a typo in a document that has none.
    ///
    /// A body past a limit is refused before anything is built from it: 413 for its size, 400
    /// for its shape, naming the limit, its value and its setting (``refusal(_:)``).
    static func decode(_ data: Data, format: WireFormat, limits: DocumentLimits) throws -> SpecDocument {
        do {
            return try MessageCodec.decode(SpecDocument.self, from: data, format: format, limits: limits)
        } catch {
            if let exceeded = error.exceeded {
                throw refusal(exceeded)
            }
            if format == .json, error.problems.contains(where: { $0.path.isEmpty }), readsAsYAML(data, limits: limits) {
                throw APIError(status: .badRequest,
                               message: "the body is not JSON, as its Content-Type application/json says, but YAML: send it "
                                   + "with `Content-Type: application/yaml`", problems: error.problems)
            }
            throw APIError.invalid(error, status: .badRequest)
        }
    }

    /// The answer to a body past one of the document limits: "the document is refused before it
    /// is read: mappings and lists nest deeper than 64 levels, the most this API accepts
    /// (api.document.max_nesting)", with the place in the problem, so the sender knows what to
    /// change and the operator what to raise.
    static func refusal(_ exceeded: LimitExceeded) -> APIError {
        let setting = APIConfiguration.key(exceeded.limit).map { ", the most this API accepts (\($0))" } ?? ""
        return APIError(status: exceeded.limit == .bytes ? .contentTooLarge : .badRequest,
                        message: "the document is refused before it is read: \(exceeded.problem)\(setting)",
                        problems: [FieldProblem(path: "", message: exceeded.description + setting)])
    }

    /// 415 for a `Content-Type` that is neither YAML nor JSON.
    static func unsupported(contentType: String) -> APIError {
        var message = "Content-Type '\(contentType)' is not a document type this API reads; send the body as YAML "
            + "(`Content-Type: application/yaml`) or JSON (`Content-Type: application/json`)"
        if contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            message += " (curl sends form data unless told otherwise: add -H 'Content-Type: application/yaml')"
        }
        return APIError(status: .unsupportedMediaType, message: message)
    }

    /// Whether `data`, which is not JSON, is a YAML document (even one with problems of its
    /// own): not one meant as JSON (`{`, `[`), and readable as YAML at least up to its fields
    /// (read under the same limits: a body that is not JSON is no cheaper as YAML).
    private static func readsAsYAML(_ data: Data, limits: DocumentLimits) -> Bool {
        guard let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first != UInt8(ascii: "{"),
              first != UInt8(ascii: "[")
        else { return false }
        do {
            _ = try MessageCodec.decode(SpecDocument.self, from: data, format: .yaml, limits: limits)
            return true
        } catch {
            return error.exceeded == nil && error.problems.allSatisfy { !$0.path.isEmpty }
        }
    }
}
