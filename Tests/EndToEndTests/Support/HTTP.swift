import Foundation
import TestSupport

/// HTTP as a user of the API speaks it: through curl, the tool the README shows.
enum HTTP {
    enum Method: String {
        case get = "GET", post = "POST", put = "PUT", delete = "DELETE"
    }

    struct Response {
        var status: Int
        var body: String
    }

    /// GET `url`; inside `namespace` when given (an agent's health port).
    static func get(_ url: String, namespace: NetworkNamespace? = nil) throws -> Response {
        try request(.get, url, namespace: namespace)
    }

    /// Sends one request with curl and returns the status and body; a refused connection is
    /// status 0.
    static func request(_ method: Method, _ url: String, token: String? = nil, body: String? = nil,
                        accept: String = "application/json", namespace: NetworkNamespace? = nil) throws -> Response {
        var arguments = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", method.rawValue,
                         "-H", "Accept: \(accept)", "--max-time", "10"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let body { arguments += ["-H", "Content-Type: application/yaml", "--data-binary", body] }
        arguments.append(url)
        let result = try namespace.map { try $0.run(arguments) } ?? HostCommand.run(arguments)
        var lines = result.standardOutput.components(separatedBy: "\n")
        let status = Int(lines.popLast() ?? "") ?? 0
        return Response(status: status, body: lines.joined(separator: "\n"))
    }
}
