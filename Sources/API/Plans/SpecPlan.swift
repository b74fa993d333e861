import Messages

/// The answer to `?dry_run=true`: what the version would do to each object and where the
/// scheduler would place what it sends; nothing stored or published.
struct SpecPlan: Encodable, Sendable {
    /// Nil (absent) for a `POST`: the spec has no id yet.
    var specID: Int64?
    /// The version the request would store.
    var version: Int
    /// `placed`, `waiting` (no room now: the version would wait), `impossible` (it would fail),
    /// or `nothing to place` (the version changes no object).
    var placement: String
    /// Why it would wait or fail.
    var reason: String?
    var objects: [ObjectChange]

    enum CodingKeys: String, CodingKey {
        case specID = "spec_id"
        case version, placement, reason, objects
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(specID, forKey: .specID)
        try container.encode(version, forKey: .version)
        try container.encode(placement, forKey: .placement)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(objects, forKey: .objects)
    }
}

/// The answer to `GET /api/spec/{id}/diff?from=V&to=W`.
struct SpecDiff: Encodable, Sendable {
    var specID: Int64
    var from: Int
    var to: Int
    var objects: [ObjectChange]

    enum CodingKeys: String, CodingKey {
        case specID = "spec_id"
        case from, to, objects
    }
}
