/// The two encodings documents travel in: JSON between services (design §4) and from API
/// clients, YAML from users.
public enum WireFormat: String, CaseIterable, Sendable, Hashable {
    case json
    case yaml

    /// The media type to label a body with.
    public var contentType: String {
        switch self {
        case .json: "application/json"
        case .yaml: "application/yaml"
        }
    }

    /// The format of an HTTP `Content-Type` / AMQP `content_type` value (parameters such as
    /// `; charset=utf-8` are ignored); `nil` for anything else.
    public init?(contentType: String) {
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
        switch mediaType {
        case "application/json", "text/json":
            self = .json
        case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
            self = .yaml
        default:
            if mediaType.hasSuffix("+json") {
                self = .json
            } else if mediaType.hasSuffix("+yaml") {
                self = .yaml
            } else {
                return nil
            }
        }
    }
}
