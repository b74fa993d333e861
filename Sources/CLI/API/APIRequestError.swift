import Foundation
import NIOHTTP1

/// An answer that is not 2xx. The API's errors have one shape,
/// `{"error": …, "status": …, "problems": [{"path", "message"}]}`; anything else (a proxy's
/// page) is kept as text so the user still sees what came back.
public struct APIRequestError: Error, Sendable, CustomStringConvertible {
    public struct Problem: Sendable, Decodable, Equatable {
        public var path: String
        public var message: String
    }

    public var method: HTTPMethod
    public var path: String
    public var status: Int
    public var message: String
    public var problems: [Problem]

    struct Body: Decodable {
        var error: String
        var problems: [Problem]?
    }

    init(method: HTTPMethod, path: String, status: Int, body: Data) {
        self.method = method
        self.path = path
        self.status = status
        if let decoded = try? JSONDecoder().decode(Body.self, from: body) {
            message = decoded.error
            problems = decoded.problems ?? []
        } else {
            let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            message = text.isEmpty ? "no message" : text
            problems = []
        }
    }

    /// `error: METHOD PATH: 400: message`, then each problem on its own line with its path.
    public var description: String {
        var lines = ["\(method.rawValue) \(path): \(status): \(message)"]
        for problem in problems { lines.append("  \(problem.path): \(problem.message)") }
        return lines.joined(separator: "\n")
    }
}
