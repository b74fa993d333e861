import Foundation
import Messages

/// What `GET /api/graph` is asked for: a spec's graph, the neighbourhood of one object, or
/// without either a page of the whole graph.
enum GraphQuery: Equatable {
    case spec(Int64)
    case object(ObjectID, depth: Int)
    /// A page of nodes in id order, with the edges leaving them.
    case all(PageRequest)

    /// Reads the query's `spec_id`, `object_id` and `depth`; 400 naming the parameter for
    /// anything else, as the OpenAPI document says (`selector`: either `spec_id`, or `object_id`
    /// with an optional `depth`).
    init(specID: String?, objectID: String?, depth: String?, maxDepth: Int, limit: String? = nil, cursor: String? = nil) throws {
        if specID != nil || objectID != nil, limit != nil || cursor != nil {
            throw APIError(status: .badRequest, message: "limit and cursor page the whole graph; leave them out with spec_id or object_id")
        }
        switch (specID, objectID) {
        case (let text?, nil):
            guard depth == nil else {
                throw APIError(status: .badRequest, message: "depth applies to object_id, not to spec_id")
            }
            guard let id = Int64(text), id > 0 else {
                throw APIError(status: .badRequest, message: "spec_id must be a positive whole number")
            }
            self = .spec(id)
        case (nil, let text?):
            guard let id = ObjectID(text) else {
                throw APIError(status: .badRequest, message: "object_id must be a UUID")
            }
            guard let depth = Int(depth ?? "1"), (0...maxDepth).contains(depth) else {
                throw APIError(status: .badRequest, message: "depth must be a whole number from 0 to \(maxDepth)")
            }
            self = .object(id, depth: depth)
        case (_?, _?):
            throw APIError(status: .badRequest, message: "give spec_id or object_id, not both")
        case (nil, nil):
            guard depth == nil else {
                throw APIError(status: .badRequest, message: "depth applies to object_id")
            }
            self = .all(try PageRequest(limit: limit, cursor: cursor, kind: .node))
        }
    }
}
