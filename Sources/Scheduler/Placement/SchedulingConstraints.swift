import Foundation
import Messages

/// What a spec's annotations ask of placement.
public struct SchedulingConstraints: Sendable, Hashable {
    /// `n0stack/scheduling/same_host`: every object of the spec on one host.
    public var sameHost: Bool
    /// `n0stack/scheduling/different_host`: every VM of the spec on a host of its own.
    public var differentHost: Bool
    /// `n0stack/scheduling/host_id`: every object of the spec on this host.
    public var hostID: ObjectID?
    /// `n0stack/n0core/scheduler/rescheduling: with_error`: the spec's objects failed and are
    /// placed again, never on ``avoidAgents``.
    public var rescheduling: Bool
    /// `n0stack/n0core/scheduler/avoid_agents`.
    public var avoidAgents: Set<ObjectID>

    public init(
        sameHost: Bool = false, differentHost: Bool = false, hostID: ObjectID? = nil, rescheduling: Bool = false,
        avoidAgents: Set<ObjectID> = []
    ) {
        self.sameHost = sameHost
        self.differentHost = differentHost
        self.hostID = hostID
        self.rescheduling = rescheduling
        self.avoidAgents = avoidAgents
    }

    /// Reads the annotations. A value that cannot mean anything (a host id that is not a UUID)
    /// is an error a person can act on; the API rejects such documents, so it only comes from
    /// a sender that skipped it.
    public init(annotations: Annotations?) throws(ConstraintError) {
        let annotations = annotations ?? Annotations()
        sameHost = try Self.flag(Annotations.sameHost, in: annotations)
        differentHost = try Self.flag(Annotations.differentHost, in: annotations)
        if sameHost && differentHost {
            throw ConstraintError(annotation: Annotations.differentHost, value: .bool(true),
                                  expected: "false while \(Annotations.sameHost) is true (one host for all cannot be a host each)")
        }
        switch annotations[Annotations.hostID] {
        case nil: hostID = nil
        case .string(let text)?:
            guard let id = ObjectID(text) else {
                throw ConstraintError(annotation: Annotations.hostID, value: .string(text), expected: "a host id (a UUID)")
            }
            hostID = id
        case let value?: throw ConstraintError(annotation: Annotations.hostID, value: value, expected: "a host id (a UUID)")
        }
        rescheduling = annotations[Annotations.rescheduling] != nil
        var avoid = Set<ObjectID>()
        if let value = annotations[Annotations.avoidAgents] {
            guard case .string(let text) = value else {
                throw ConstraintError(annotation: Annotations.avoidAgents, value: value, expected: "agent ids separated by commas")
            }
            for part in text.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty else { continue }
                guard let id = ObjectID(trimmed) else {
                    throw ConstraintError(annotation: Annotations.avoidAgents, value: value, expected: "agent ids separated by commas")
                }
                avoid.insert(id)
            }
        }
        avoidAgents = avoid
    }

    /// A yes/no annotation: absent is no; a string spelling a boolean counts as it.
    private static func flag(_ name: String, in annotations: Annotations) throws(ConstraintError) -> Bool {
        switch annotations[name] {
        case nil, .bool(false): false
        case .bool(true): true
        case .string(let text) where ["true", "false"].contains(text.lowercased()): text.lowercased() == "true"
        case let value?: throw ConstraintError(annotation: name, value: value, expected: "true or false")
        }
    }
}

/// An annotation whose value placement cannot use.
public struct ConstraintError: Error, Sendable, Hashable, CustomStringConvertible {
    public var annotation: String
    public var value: AnnotationValue
    public var expected: String

    public var description: String {
        let shown: String = switch value {
        case .bool(let bool): "\(bool)"
        case .int(let int): "\(int)"
        case .string(let string): "'\(string)'"
        }
        return "annotation \(annotation): \(shown) is not valid; expected \(expected)"
    }
}
