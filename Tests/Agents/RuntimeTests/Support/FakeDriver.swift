import AgentRuntime
import Messages
import Synchronization

/// A driver that creates nothing: it records what it was asked to apply, fills `url` and
/// `bridge` as the real agents would, and lists what it "holds" for reconciliation. Like the
/// compute agent, it starts at agent start a VM held `running` and found `poweroff`, failing
/// with the reason in `restoreFailures` for those listed there.
final class FakeDriver: AgentDriver, Sendable {
    let agentType: ObjectType
    private let state = Mutex<(applied: [Object], holding: [ObjectID: Object])>(([], [:]))
    private let beforeApply: @Sendable (Object) async throws -> Void
    private let restoreFailures: [ObjectID: String]

    init(_ agentType: ObjectType, holding: [Object] = [], restoreFailures: [ObjectID: String] = [:],
         beforeApply: @escaping @Sendable (Object) async throws -> Void = { _ in }) {
        self.agentType = agentType
        self.beforeApply = beforeApply
        self.restoreFailures = restoreFailures
        state.withLock { state in
            for object in holding { state.holding[object.id!] = object }
        }
    }

    var applied: [Object] { state.withLock { $0.applied } }

    func apply(_ object: Object) async throws -> ApplyOutcome {
        try await beforeApply(object)
        var result = object
        switch object.type {
        case .volumeFile: result.url = "file:///fake/\(object.id!)"
        case .networkVLAN: result.bridge = "br-\(object.id!.description.prefix(12))"
        default: break
        }
        state.withLock { state in
            state.applied.append(object)
            state.holding[object.id!] = result
        }
        return ApplyOutcome(object: result)
    }

    func capacity() async throws -> Capacity? {
        Capacity(vcpus: 4, memory: Size(8, .gb))
    }

    func inventory() async throws -> [Object] {
        state.withLock { Array($0.holding.values) }
    }

    func restoresAtStart(held: Object, found: Object) -> Bool {
        held.type == .vmKVM && held.desiredState == "running" && found.desiredState == "poweroff"
    }

    func restoreAtStart(_ held: Object) async throws -> ApplyOutcome {
        if let reason = restoreFailures[held.id!] { throw AgentFailure(reason) }
        var restored = held
        restored.vncAddress = "127.0.0.1:5907"
        state.withLock { $0.holding[held.id!] = restored }
        return ApplyOutcome(object: restored)
    }

    var holding: [ObjectID: Object] { state.withLock { $0.holding } }

    func differences(held: Object, found: Object) -> [String] {
        held.size == found.size ? [] : ["size \(found.size?.description ?? "none") instead of \(held.size?.description ?? "none")"]
    }
}
