import Messages

/// What one kind of agent knows about its resources; the ``AgentRuntime`` does everything else
/// (queue, waiting for dependencies, `Notify` messages, acknowledgements, heartbeats).
///
/// The runtime calls a driver only with objects it has already checked: a type from
/// ``resourceTypes``, an `id`, and no dependency still missing the fields the driver needs
/// (``unmetDependencies(of:)``). Everything a driver does must be idempotent, because a
/// `Request` is redelivered after a crash or a lost connection: ``apply(_:)`` makes the host match
/// the object's desired state and answers the same way however often it is called.
///
/// Expected failures (bad input, a host problem a person must fix) are thrown as
/// ``AgentFailure`` with a sentence that says what to do; a ``CommandFailure`` carries the
/// command's own error output. Both end up, as they are, in an `ERROR` Notify.
public protocol AgentDriver: Sendable {
    /// The agent's own type, e.g. ``ObjectType/agentVolumerFile``.
    var agentType: ObjectType { get }

    /// The resource types this agent creates; others are refused. By default every type whose
    /// ``ObjectType/servingAgent`` is ``agentType``.
    var resourceTypes: Set<ObjectType> { get }

    /// Called once before the agent joins: create directories, clean up what a crash left
    /// half-done. A thrown error stops the agent (it cannot work on this host).
    func prepare() async throws

    /// Refuses an object the driver cannot act on whatever happens (a volume without `size`), so
    /// nothing is created and nothing waits for it. Throws ``AgentFailure``.
    func validate(_ object: Object) throws

    /// The dependencies embedded in `object` that are not ready yet (a VM's volume without
    /// `url`, a NIC's network without `bridge`). Pure: the runtime calls it again whenever a
    /// dependency's `Notify` has filled in an embedded object. By default
    /// ``ReadinessRules/unmetDependencies(of:)``.
    func unmetDependencies(of object: Object) -> [UnmetDependency]

    /// Makes the host match `object` (its desired state and fields), idempotently, and returns
    /// the object as it now is, with the fields the agent fills (`url`, `bridge`).
    func apply(_ object: Object) async throws -> ApplyOutcome

    /// ``apply(_:)`` for a `Request` that carries `copy_from` (a volume moved off a draining
    /// host, to be created as a copy of the one `source` holds). By default the source is
    /// ignored: only a volumer copies.
    func apply(_ object: Object, copyingFrom source: VolumeCopySource?) async throws -> ApplyOutcome

    /// What this host can give to new resources, for heartbeats; nil for agents without
    /// capacity (porters).
    func capacity() async throws -> Capacity?

    /// Where other hosts' agents reach this one (a porter's underlay address), announced in
    /// every heartbeat as the agent's `ip_addresses`. By default none.
    var announcedAddresses: [IPv4Address] { get }

    /// Where other hosts' agents fetch from this one (a volumer's export base URL), announced
    /// in every heartbeat as the agent's `url`. By default none.
    var announcedURL: String? { get }

    /// The resources of ``resourceTypes`` this driver finds on the host, as objects (`type`, `id`
    /// and what it can observe, such as `size` and `url`); the runtime compares them on
    /// start-up with what it was asked to hold.
    func inventory() async throws -> [Object]

    /// How an object found on the host differs from the one the agent was asked to hold, as
    /// sentences ("holds 5gb, asked for 10gb"); empty when they match. By default none.
    func differences(held: Object, found: Object) -> [String]

    /// Whether start-up reconciliation brings `found` back to `held` by itself instead of only
    /// reporting the difference: the one repair made without the operator, for what a host's
    /// restart undoes (a VM that should run, found shut off). Pure. By default never.
    func restoresAtStart(held: Object, found: Object) -> Bool

    /// Brings back an object for which ``restoresAtStart(held:found:)`` said so, from what is
    /// on the host (`held` is redacted: it carries no secrets to define anything with), and
    /// returns it as it now is. Throws ``AgentFailure`` with the reason it could not.
    func restoreAtStart(_ held: Object) async throws -> ApplyOutcome

    /// A piece of VM `id`'s serial log on this host, at most `maxBytes` (`ConsoleRequest`, for
    /// `GET /api/objects/{id}/console`). Only a compute agent has one; by default it throws
    /// ``ConsoleLogError/unsupported``. Never logs what the guest wrote.
    func consoleLog(of id: ObjectID, range: ConsoleRange, maxBytes: Int) async throws -> ConsoleExcerpt
}

extension AgentDriver {
    public var announcedAddresses: [IPv4Address] { [] }

    public var announcedURL: String? { nil }

    public func apply(_ object: Object, copyingFrom source: VolumeCopySource?) async throws -> ApplyOutcome {
        try await apply(object)
    }

    public var resourceTypes: Set<ObjectType> {
        Set(ObjectType.allCases.filter { $0.servingAgent == agentType })
    }

    public func prepare() async throws {}

    public func validate(_ object: Object) throws {}

    public func unmetDependencies(of object: Object) -> [UnmetDependency] {
        ReadinessRules.unmetDependencies(of: object)
    }

    public func differences(held: Object, found: Object) -> [String] {
        []
    }

    public func restoresAtStart(held: Object, found: Object) -> Bool {
        false
    }

    public func restoreAtStart(_ held: Object) async throws -> ApplyOutcome {
        throw AgentFailure("a \(held.type?.rawValue ?? "resource") is not restored at agent start")
    }
}

/// What ``AgentDriver/apply(_:)`` reports.
public struct ApplyOutcome: Sendable, Hashable {
    /// The object as it now is, with the fields the agent filled (`url`, `bridge`).
    public var object: Object
    /// A sentence for the `Notify` instead of the runtime's "Succeeded to create resource."
    public var message: String?

    public init(object: Object, message: String? = nil) {
        self.object = object
        self.message = message
    }
}
