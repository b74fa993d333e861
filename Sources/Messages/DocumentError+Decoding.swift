import Foundation
import Yams

/// Turning whatever a decoder throws into problems with paths.
///
/// Swift's `DecodingError` carries its place as a coding path; Yams reports syntax errors with a
/// line and column and wraps errors thrown by our own `init(from:)` in `dataCorrupted`; strict
/// decoding throws `DocumentError` directly. All of them end up as one `DocumentError`.
extension DocumentError {
    init(decoding error: any Error) {
        switch error {
        case let error as DocumentError:
            self = error
        case let error as DecodingError:
            self = DocumentError(decodingError: error)
        case let error as YamlError:
            self.init(path: "", message: DocumentError.describe(error))
        default:
            self.init(path: "", message: "\(error)")
        }
    }

    private init(decodingError error: DecodingError) {
        switch error {
        case let .typeMismatch(type, context):
            self.init(problems: [FieldProblem(codingPath: context.codingPath,
                                              message: "expected \(DocumentError.describe(type))")])
        case let .valueNotFound(type, context):
            self.init(problems: [FieldProblem(codingPath: context.codingPath,
                                              message: "expected \(DocumentError.describe(type)), found nothing")])
        case let .keyNotFound(key, context):
            self.init(problems: [FieldProblem(codingPath: context.codingPath + [key],
                                              message: "missing required key '\(key.stringValue)'")])
        case let .dataCorrupted(context):
            if let underlying = context.underlyingError as? DocumentError {
                self = underlying
            } else if let underlying = context.underlyingError as? YamlError {
                self.init(path: "", message: DocumentError.describe(underlying))
            } else if context.codingPath.isEmpty, let underlying = context.underlyingError {
                // Syntax errors of JSONDecoder on some platforms: the detail is in the underlying error.
                let detail = (underlying as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
                self.init(path: "", message: "\(context.debugDescription) \(detail ?? "\(underlying)")")
            } else {
                self.init(problems: [FieldProblem(codingPath: context.codingPath, message: context.debugDescription)])
            }
        @unknown default:
            self.init(path: "", message: "\(error)")
        }
    }

    /// "not valid YAML: line 3, column 7: mapping values are not allowed in this context".
    private static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return "not valid YAML: line \(mark.line), column \(mark.column): \(problem)\(while_)"
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "not valid YAML: line \(context.mark.line), column \(context.mark.column): duplicate key \(keys)"
        default:
            return "not valid YAML: \(error)"
        }
    }

    /// "an integer", "a mapping" …: the expected kind of value, in a user's words.
    private static func describe(_ type: Any.Type) -> String {
        if type is any BinaryInteger.Type { return "an integer" }
        if type == String.self { return "a string" }
        if type == Bool.self { return "a boolean (true or false)" }
        if type == Node.Mapping.self || type == [String: Any].self { return "a mapping" }
        if type == Node.Sequence.self || type == [Any].self { return "a list" }
        if type == Node.Scalar.self { return "a single value, not a list or mapping" }
        return "a value of type \(type)"
    }
}
