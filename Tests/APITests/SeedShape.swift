import Foundation
import Testing
import Yams

/// Compares a document the system produced with one of the seed's, as data: the same keys and
/// nesting and the same values, except that where the seed has a UUID the answer must have a
/// UUID (ids are assigned anew), and the seed's two misspellings are read as the correct keys.
enum SeedShape {
    static func load(_ yaml: String) throws -> Any {
        try #require(try Yams.load(yaml: yaml))
    }

    /// The seed's tree with `relatioins` → `dependencies` and `boot_prority` → `boot_priority`.
    static func normalized(_ value: Any) -> Any {
        switch value {
        case let map as [String: Any]:
            var result: [String: Any] = [:]
            for (key, child) in map {
                let fixed = key == "relatioins" ? "dependencies"
                    : key == "n0stack/n0core/vm/boot_prority" ? "n0stack/n0core/vm/boot_priority" : key
                result[fixed] = normalized(child)
            }
            return result
        case let list as [Any]:
            return list.map(normalized)
        default:
            return value
        }
    }

    /// Every difference between `expected` (a normalized seed tree) and `actual`, as
    /// `path: what`; `ignoring` names paths whose values may differ (timestamps), and
    /// `extraKeys` keys `actual` may have beyond the seed's.
    static func differences(
        expected: Any, actual: Any, path: String = "", ignoring: Set<String> = [], extraKeys: Set<String> = []
    ) -> [String] {
        if ignoring.contains(path) { return [] }
        switch (expected, actual) {
        case let (e as [String: Any], a as [String: Any]):
            var result: [String] = []
            for key in Set(e.keys).subtracting(a.keys).sorted() { result.append("\(path).\(key): missing") }
            for key in Set(a.keys).subtracting(e.keys).subtracting(extraKeys).sorted() { result.append("\(path).\(key): not in the seed") }
            for key in Set(e.keys).intersection(a.keys).sorted() {
                result += differences(expected: e[key]!, actual: a[key]!, path: path.isEmpty ? key : "\(path).\(key)",
                                      ignoring: ignoring, extraKeys: extraKeys)
            }
            return result
        case let (e as [Any], a as [Any]):
            guard e.count == a.count else { return ["\(path): \(a.count) items, the seed has \(e.count)"] }
            return zip(e, a).enumerated().flatMap { index, pair in
                differences(expected: pair.0, actual: pair.1, path: "\(path)[\(index)]", ignoring: ignoring, extraKeys: extraKeys)
            }
        case let (e as Bool, a):
            return (a as? Bool) == e ? [] : ["\(path): '\(a)', the seed has '\(e)'"]
        default:
            let e = "\(expected)", a = "\(actual)"
            if UUID(uuidString: e) != nil {
                return UUID(uuidString: a) != nil && a == a.lowercased() ? [] : ["\(path): '\(a)' is not a lowercase UUID"]
            }
            return e == a ? [] : ["\(path): '\(a)', the seed has '\(e)'"]
        }
    }

    /// Every UUID-looking value under `value`, in document order.
    static func uuids(in value: Any) -> [String] {
        switch value {
        case let map as [String: Any]: map.keys.sorted().flatMap { uuids(in: map[$0]!) }
        case let list as [Any]: list.flatMap(uuids(in:))
        default: UUID(uuidString: "\(value)") != nil ? ["\(value)"] : []
        }
    }
}
