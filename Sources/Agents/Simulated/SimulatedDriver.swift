import AgentRuntime
import Messages
import Synchronization

/// A driver for scale benchmarks only: it checks objects the way the real drivers minimally
/// do, answers with the fields the real ones fill (`url` for volumes, `bridge` for networks),
/// and records the object in memory instead of creating anything on the host.
///
/// Everything around it is the real ``AgentRuntime``: its queue, waiting for dependencies,
/// `Notify` messages, acknowledgements and heartbeats. Never used by a real agent executable.
public final class SimulatedDriver: AgentDriver {
    public let agentType: ObjectType
    private let reported: Capacity?
    private let records = Mutex<[ObjectID: Object]>([:])

    /// - Parameter capacity: what the agent reports; compute agents report vcpus and memory,
    ///   volume agents disk, porters nothing (as the real ones).
    public init(agentType: ObjectType, capacity: SimulatedCapacity = SimulatedCapacity()) {
        self.agentType = agentType
        reported = capacity.report(for: agentType)
    }

    public func validate(_ object: Object) throws {
        guard !Self.isRemoval(object) else { return }
        switch object.type {
        case .volumeFile?:
            guard let size = object.size, size.bytes > 0, size.bytes % 512 == 0 else {
                throw AgentFailure("object.size is required for a resource/volume/file and must be a positive "
                    + "multiple of 512 bytes (e.g. size: 10gb)")
            }
        case .vmKVM?:
            guard let vcpus = object.vcpus, vcpus > 0 else {
                throw AgentFailure("object.vcpus is required for a resource/vm/kvm and must be at least 1")
            }
            guard let memory = object.memory, memory.bytes > 0 else {
                throw AgentFailure("object.memory is required for a resource/vm/kvm (e.g. memory: 4gb)")
            }
        default:
            break
        }
    }

    public func apply(_ object: Object) async throws -> ApplyOutcome {
        guard let id = object.id else { throw AgentFailure("the object has no id; nothing was recorded") }
        var result = object
        switch object.type {
        case .volumeFile?: result.url = Self.url(of: id)
        case .networkVLAN?: result.bridge = Self.bridge(of: id)
        default: break
        }
        let removing = Self.isRemoval(object)
        records.withLock { records in
            if removing {
                records[id] = nil
            } else {
                records[id] = result
            }
        }
        return ApplyOutcome(object: result, message: removing ? "Simulated: removed." : "Simulated: recorded.")
    }

    public func capacity() async throws -> Capacity? {
        reported
    }

    public func inventory() async throws -> [Object] {
        recorded
    }

    /// The objects this agent holds now, in id order.
    public var recorded: [Object] {
        records.withLock { Array($0.values) }.sorted { ($0.id?.description ?? "") < ($1.id?.description ?? "") }
    }

    /// `file:///simulated/<id>`: a volume's url that points at nothing real.
    public static func url(of id: ObjectID) -> String {
        "file:///simulated/\(id)"
    }

    /// `br-` and the first 12 hex digits of the network's id, as the real porter names bridges.
    public static func bridge(of id: ObjectID) -> String {
        "br-" + id.description.filter(\.isHexDigit).prefix(12)
    }

    static func isRemoval(_ object: Object) -> Bool {
        ["deleted", "destroyed"].contains(object.desiredState ?? "")
    }
}

/// What each simulated agent reports as its host's capacity.
public struct SimulatedCapacity: Sendable, Hashable {
    public var vcpus: Int
    public var memory: Size
    public var disk: Size

    public init(vcpus: Int = 64, memory: Size = Size(256, .gb), disk: Size = Size(10, .tb)) {
        self.vcpus = vcpus
        self.memory = memory
        self.disk = disk
    }

    /// The heartbeat's capacity for an agent of `type`.
    func report(for type: ObjectType) -> Capacity? {
        switch type {
        case .agentComputeKVM: Capacity(vcpus: vcpus, memory: memory)
        case .agentVolumerFile: Capacity(disk: disk)
        default: nil
        }
    }
}
