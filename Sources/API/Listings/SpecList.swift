import Foundation
import Hummingbird
import Store

/// The answer to `GET /api/spec`: a page of specs, newest first.
struct SpecList: Encodable {
    struct Item: Encodable {
        var id: Int64
        var version: Int
        var state: String
        var createdAt: String
        var updatedAt: String
        /// Objects per progress word, as `GET /api/spec/{id}` shows progress (`PENDING`, `APPLIED`, …).
        var objects: [String: Int]

        init(_ summary: SpecSummary) {
            id = summary.spec.id
            version = summary.spec.latestVersion
            state = summary.spec.state.rawValue
            createdAt = SpecStatus.timestamp(summary.spec.createdAt)
            updatedAt = SpecStatus.timestamp(summary.updatedAt)
            var objects: [String: Int] = [:]
            for (phase, count) in summary.phases {
                objects[ObjectProgress.progress(of: PlacementPhase(rawValue: phase)), default: 0] += count
            }
            self.objects = objects
        }

        enum CodingKeys: String, CodingKey {
            case id, version, state, objects
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }
    }

    var specs: [Item]
    var next: String?

    /// `state` when given must be a spec state; `limit` and `cursor` as every listing reads them.
    static func read(_ parameters: Parameters) throws -> (state: SpecState?, page: PageRequest) {
        try parameters.requireOnly(["state", "limit", "cursor"])
        let page = try PageRequest(parameters, kind: .spec)
        guard let text = parameters["state"] else { return (nil, page) }
        guard let state = SpecState(rawValue: String(text)) else {
            throw APIError(status: .badRequest, message: "state must be one of "
                + SpecState.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return (state, page)
    }
}
