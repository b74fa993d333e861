import Foundation
import Yams

/// A spec document read from `-f FILE`: YAML, or JSON when the file's name ends in `.json`.
/// Sent as it is to create a spec; to replace one, only its top-level `version` is rewritten
/// (the rest of the text is kept as the user wrote it, YAML key order and quoting included).
struct SpecDocumentFile: Sendable {
    enum Format: Sendable {
        case yaml, json

        var contentType: String {
            switch self {
            case .yaml: "application/yaml"
            case .json: "application/json"
            }
        }
    }

    var path: String
    var format: Format
    var data: Data
    /// The document's `id`: a version read back from `GET /api/spec/{id}/versions/{v}` names its spec.
    var specID: Int64?

    init(path: String, data: Data) throws {
        self.path = path
        self.data = data
        format = path.lowercased().hasSuffix(".json") ? .json : .yaml
        switch format {
        case .yaml:
            let mapping = try Self.yamlMapping(data, path: path)
            specID = try mapping.first { $0.key.string == "id" }.map { try Self.specID($0.value.string, path: path) }
        case .json:
            guard case .object(let fields) = try Self.json(data, path: path) else {
                throw CLIFailure(.usage, "\(path) is not a spec document: its top level is not an object")
            }
            specID = try fields["id"].map { value in
                guard case .integer(let id) = value else { throw CLIFailure(.usage, "\(path): 'id' is not a whole number") }
                return id
            }
        }
    }

    /// The document with its top-level `version` set (added when missing), as bytes to send.
    func replacingVersion(with version: Int) throws -> Data {
        switch format {
        case .yaml:
            let mapping = try Self.yamlMapping(data, path: path)
            var pairs = mapping.map { ($0.key, $0.value) }
            let value = Node(String(version), Tag(.int))
            if let index = pairs.firstIndex(where: { $0.0.string == "version" }) {
                pairs[index].1 = value
            } else {
                pairs.insert((Node("version"), value), at: 0)
            }
            let text = try Yams.serialize(node: .mapping(Node.Mapping(pairs, mapping.tag, mapping.style)))
            return Data(text.utf8)
        case .json:
            guard case .object(var fields) = try Self.json(data, path: path) else {
                throw CLIFailure(.usage, "\(path) is not a spec document: its top level is not an object")
            }
            fields["version"] = .integer(Int64(version))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try encoder.encode(JSONValue.object(fields))
        }
    }

    private static func yamlMapping(_ data: Data, path: String) throws -> Node.Mapping {
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw CLIFailure(.usage, "\(path) is not YAML: \(error)")
        }
        guard let mapping = node?.mapping else {
            throw CLIFailure(.usage, "\(path) is not a spec document: its top level is not a mapping")
        }
        return mapping
    }

    private static func json(_ data: Data, path: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw CLIFailure(.usage, "\(path) is not JSON: \(error)")
        }
    }

    private static func specID(_ text: String?, path: String) throws -> Int64 {
        guard let text, let id = Int64(text) else { throw CLIFailure(.usage, "\(path): 'id' is not a whole number") }
        return id
    }
}
