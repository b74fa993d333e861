/// `GET /api/spec/{id}`: the latest version's state and each object's progress.
public struct SpecStatusView: Sendable, Decodable {
    public struct Object: Sendable, Decodable {
        public var id: String
        public var type: String
        public var name: String
        public var progress: String
        public var message: String?
        public var version: Int
        public var agent: String?
        public var desiredState: String?

        /// How the object is shown: its name (its id when written without one), marked when
        /// this version removes it, since a replaced object and its successor share a name.
        public var label: String {
            let shown = name.isEmpty ? id : name
            guard let desiredState, ["deleted", "destroyed"].contains(desiredState) else { return shown }
            return "\(shown) [\(desiredState)]"
        }

        enum CodingKeys: String, CodingKey {
            case id, type, name, progress, message, version, agent
            case desiredState = "desired_state"
        }
    }

    public var id: Int64
    public var version: Int
    public var state: SpecState
    public var reason: String?
    public var objects: [Object]
}

/// `GET /api/spec`: a page of specs, newest first.
public struct SpecListPage: Sendable, Decodable {
    public struct Item: Sendable, Decodable {
        public var id: Int64
        public var version: Int
        public var state: SpecState
        public var createdAt: String
        /// Objects per progress word (`APPLIED`, `WAITING`, …).
        public var objects: [String: Int]

        enum CodingKeys: String, CodingKey {
            case id, version, state, objects
            case createdAt = "created_at"
        }
    }

    public var specs: [Item]
    public var next: String?
}

/// What `POST`, `PUT` and `DELETE` of a spec answer, as far as following it needs: which spec
/// and which version to wait for.
public struct StoredVersion: Sendable, Decodable {
    public var id: Int64
    public var version: Int
}
