/// Why a document or message was refused: every problem found, each with the place it is at.
///
/// Services show this to users (the API's 400 answer) and put it in the dead-letter reason
/// header, so it reads as `spec.web.dependencies[1].object.size: size '4zb': unknown unit …`.
public struct DocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [FieldProblem]
    /// Set when the text was refused before it was read, for going past one of its
    /// ``DocumentLimits`` (the API answers 413 or 400 naming the limit's setting).
    public var exceeded: LimitExceeded?

    public init(problems: [FieldProblem]) {
        self.problems = problems
    }

    public init(path: String, message: String) {
        self.problems = [FieldProblem(path: path, message: message)]
    }

    /// All problems, `; `-separated, on one line so a log line stays one line.
    public var description: String {
        problems.map(\.description).joined(separator: "; ")
    }
}

/// One problem at one place of a document.
public struct FieldProblem: Sendable, Hashable, CustomStringConvertible {
    /// Where, like `spec.web.dependencies[1].object.size`: keys joined with `.`, list positions
    /// as `[n]`. Empty for the document as a whole (including text that is not JSON/YAML).
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    init(codingPath: [any CodingKey], message: String) {
        self.init(path: FieldProblem.render(codingPath), message: message)
    }

    /// `path: message`, or just the message when there is no path.
    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }

    /// Renders a Codable coding path: integer keys (list positions) become `[n]`.
    static func render(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                if !path.isEmpty { path += "." }
                path += key.stringValue
            }
        }
        return path
    }
}
