import AgentRuntime
import Foundation
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
    /// How long each apply takes (zero: at once).
    public let applyDelay: Duration
    /// While an apply is under way (and ``applyDelay`` is not zero), an empty file named after
    /// the object lives here, so a fault-injection run can kill the process in the middle of an
    /// apply and say which ones it interrupted (`deploy/chaos.sh`).
    public let applyingDirectory: String?

    /// - Parameters:
    ///   - capacity: what the agent reports; compute agents report vcpus and memory, volume
    ///     agents disk, porters nothing (as the real ones).
    ///   - applyDelay: how long each apply takes, as a slow real driver would.
    ///   - applyingDirectory: where applies under way leave a marker file (only with a delay);
    ///     markers left by a killed process are removed here.
    ///   - restoring: what the simulated host already has: a real host keeps its VMs, volumes
    ///     and bridges when its agent process dies, so a restarted simulated agent starts with
    ///     what it held (see ``SimulatedFleet``), not with nothing.
    public init(agentType: ObjectType, capacity: SimulatedCapacity = SimulatedCapacity(), applyDelay: Duration = .zero,
                applyingDirectory: String? = nil, restoring: [Object] = []) {
        self.agentType = agentType
        reported = capacity.report(for: agentType)
        records.withLock { records in
            for object in restoring {
                if let id = object.id { records[id] = object }
            }
        }
        self.applyDelay = applyDelay
        self.applyingDirectory = applyDelay > .zero ? applyingDirectory : nil
        if let directory = self.applyingDirectory {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
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
        if applyDelay > .zero {
            let marker = applyingDirectory.map { "\($0)/\(id)" }
            if let marker { _ = FileManager.default.createFile(atPath: marker, contents: nil) }
            defer { if let marker { try? FileManager.default.removeItem(atPath: marker) } }
            try await Task.sleep(for: applyDelay)
        }
        var result = object
        switch object.type {
        case .volumeFile?, .image?: result.url = Self.url(of: id)
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
