import Foundation
import Hummingbird

/// `limit` and `cursor` of a listing route. A cursor is the last key of the previous page behind
/// a letter naming the listing (`s` specs, `a` agents, `n` graph nodes), so one route refuses
/// another's; clients pass the page's `next` back unchanged and read nothing into it. Its shape
/// is in the OpenAPI document, so every cursor the document allows is one the route reads.
struct PageRequest: Equatable {
    static let defaultLimit = 50
    static let maxLimit = 500

    /// What a listing's keys are: spec ids (newest first) or UUIDs (in order).
    enum Kind: String {
        case spec = "s", agent = "a", node = "n"
    }

    var limit: Int
    var kind: Kind
    /// The raw key the page starts after; nil for the first page.
    private var key: String?

    init(limit: String?, cursor: String?, kind: Kind) throws {
        self.kind = kind
        if let limit {
            guard let value = Int(limit), (1...Self.maxLimit).contains(value) else {
                throw APIError(status: .badRequest, message: "limit must be a whole number from 1 to \(Self.maxLimit)")
            }
            self.limit = value
        } else {
            self.limit = Self.defaultLimit
        }
        guard let cursor else { key = nil; return }
        guard cursor.hasPrefix(kind.rawValue) else { throw Self.badCursor }
        key = String(cursor.dropFirst())
        switch kind {
        case .spec: guard specID != nil else { throw Self.badCursor }
        case .agent, .node: guard uuid != nil else { throw Self.badCursor }
        }
    }

    init(_ parameters: Parameters, kind: Kind) throws {
        try self.init(limit: parameters["limit"].map(String.init), cursor: parameters["cursor"].map(String.init), kind: kind)
    }

    /// The spec id a spec page starts below.
    var specID: Int64? {
        guard let key, key.count <= 18, key.allSatisfy(\.isASCII), let id = Int64(key), id > 0 else { return nil }
        return id
    }

    /// The UUID an agent or node page starts after (32 hex digits, no dashes).
    var uuid: UUID? {
        guard let key, key.count == 32, key.allSatisfy(\.isHexDigit), key.allSatisfy(\.isASCII) else { return nil }
        let hex = Array(key)
        let text = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
        return UUID(uuidString: text)
    }

    /// The cursor of the page after one that returned `count` rows ending on `last`; nil when
    /// the page was not full (nothing follows).
    func next(count: Int, lastSpec: Int64?) -> String? {
        guard count == limit, let lastSpec else { return nil }
        return kind.rawValue + String(lastSpec)
    }

    func next(count: Int, lastID: UUID?) -> String? {
        guard count == limit, let lastID else { return nil }
        return kind.rawValue + lastID.uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    static let badCursor = APIError(status: .badRequest, message: "cursor is not one this route gave: pass the `next` of the previous page unchanged")
}
