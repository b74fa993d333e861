/// Free-form hints on a spec, keyed by namespaced names (`n0stack/scheduling/same_host`).
///
/// Unknown keys are kept, not rejected: annotations are how new behaviour is asked for without
/// changing the schema. Encoded with keys sorted, so output is stable.
public struct Annotations: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// Place every object of the spec on one host (`true`/`false`).
    public static let sameHost = "n0stack/scheduling/same_host"
    /// Place the spec's objects on this host (a host id).
    public static let hostID = "n0stack/scheduling/host_id"
    /// Place each VM of the spec on a host of its own (`true`/`false`): anti-affinity, so one
    /// host going down takes one of them.
    public static let differentHost = "n0stack/scheduling/different_host"
    /// Set by the conductor on a `Spec` it sends back for rescheduling (`with_error`).
    public static let rescheduling = "n0stack/n0core/scheduler/rescheduling"
    /// Set by the conductor beside ``rescheduling``: the agents that failed the objects so far,
    /// comma-separated, which the scheduler must not use for them again.
    public static let avoidAgents = "n0stack/n0core/scheduler/avoid_agents"
    /// Set by the API on the `Spec` it sends the scheduler when a host starts draining (the
    /// host's id): move what the spec has on that host elsewhere, where it can move.
    public static let drainingHost = "n0stack/n0core/scheduler/draining_host"
    /// The prefix of the annotations n0core's services set for each other; users may not.
    public static let serviceNamespace = "n0stack/n0core/scheduler/"

    public var values: [String: AnnotationValue]

    public init(_ values: [String: AnnotationValue] = [:]) {
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, AnnotationValue)...) {
        self.values = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public subscript(key: String) -> AnnotationValue? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public var isEmpty: Bool {
        values.isEmpty
    }
}

extension Annotations: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        var values: [String: AnnotationValue] = [:]
        for key in container.allKeys {
            values[key.stringValue] = try container.decode(AnnotationValue.self, forKey: key)
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for key in values.keys.sorted() {
            try container.encode(values[key], forKey: AnyCodingKey(key))
        }
    }
}
