import ArgumentParser
import Foundation
import Yams

/// `--output`: human text (tables, trees, progress lines), or the API's answer as JSON or YAML
/// for scripts.
public enum OutputFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    case table, json, yaml

    /// `value` as this format's text, keys sorted so output is stable. `table` has no generic
    /// form: each command draws its own.
    public func render(_ value: JSONValue) throws -> String {
        switch self {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        case .yaml, .table:
            let encoder = YAMLEncoder()
            encoder.options.sortKeys = true
            return try encoder.encode(value)
        }
    }

    /// One value per line (JSON) or per document (YAML), for streams such as `events --follow`.
    public func renderStreamed(_ value: JSONValue) throws -> String {
        switch self {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        case .yaml, .table:
            return "---\n" + (try render(value))
        }
    }
}
