import Foundation
import Yams

/// A YAML/JSON document as plain data, for comparing documents regardless of key order,
/// quoting or layout.
indirect enum DataTree: Equatable, CustomStringConvertible {
    case map([String: DataTree])
    case list([DataTree])
    case string(String)
    case int(Int)
    case bool(Bool)
    case date(Date)
    case null

    /// Parses YAML (or JSON, which YAML reads too) into a tree.
    static func parse(_ text: String) throws -> DataTree {
        DataTree(any: try Yams.load(yaml: text) as Any)
    }

    init(any value: Any) {
        switch value {
        case let map as [String: Any]: self = .map(map.mapValues(DataTree.init(any:)))
        case let list as [Any]: self = .list(list.map(DataTree.init(any:)))
        case let bool as Bool: self = .bool(bool)
        case let int as Int: self = .int(int)
        case let string as String: self = .string(string)
        case let date as Date: self = .date(date)
        case is NSNull: self = .null
        case Optional<Any>.none: self = .null
        default: self = .string("<\(type(of: value))>\(value)")
        }
    }

    /// The tree with keys renamed everywhere (the seed's misspellings → the output spelling).
    func renamingKeys(_ renames: [String: String]) -> DataTree {
        switch self {
        case .map(let map):
            var renamed: [String: DataTree] = [:]
            for (key, value) in map {
                renamed[renames[key] ?? key] = value.renamingKeys(renames)
            }
            return .map(renamed)
        case .list(let list):
            return .list(list.map { $0.renamingKeys(renames) })
        default:
            return self
        }
    }

    /// The seed spells two keys differently from the output; this maps them to the output form.
    func normalizingSeedSpelling() -> DataTree {
        renamingKeys([
            "relatioins": "dependencies",
            "n0stack/n0core/vm/boot_prority": "n0stack/n0core/vm/boot_priority",
        ])
    }

    subscript(key: String) -> DataTree? {
        get {
            if case .map(let map) = self { map[key] } else { nil }
        }
        set {
            if case .map(var map) = self {
                map[key] = newValue
                self = .map(map)
            }
        }
    }

    var description: String {
        switch self {
        case .map(let map):
            "{" + map.keys.sorted().map { "\($0): \(map[$0]!)" }.joined(separator: ", ") + "}"
        case .list(let list):
            "[" + list.map(\.description).joined(separator: ", ") + "]"
        case .string(let string): "'\(string)'"
        case .int(let int): "\(int)"
        case .bool(let bool): "\(bool)"
        case .date(let date): "date(\(date))"
        case .null: "null"
        }
    }
}
