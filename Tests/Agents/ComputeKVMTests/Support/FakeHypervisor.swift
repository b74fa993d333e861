import CLibvirt
import Messages
import Synchronization

@testable import ComputeKVM

/// A hypervisor in memory that behaves like libvirt where the driver relies on it: defines
/// replace the persistent XML, a running guest keeps the XML it was started with, a managed
/// save stops the guest and the next start restores it, operations on missing domains fail
/// with `VIR_ERR_NO_DOMAIN`. Every mutating call is recorded.
final class FakeHypervisor: Hypervisor, Sendable {
    struct Domain: Sendable {
        var xml: String
        var liveXML: String?
        var state: DomainState = .shutOff
        var managedSave = false
        var isActive: Bool { liveXML != nil }
    }

    struct State: Sendable {
        var domains: [ObjectID: Domain] = [:]
        var calls: [String] = []
        /// Whether a guest powers off when asked (ACPI); a guest without an OS does not.
        var guestHonoursShutdown = true
        /// The error the next start fails with, as libvirt would report it.
        var startFailure: LibvirtError?
        var connected = false
    }

    let state = Mutex(State())
    let node = NodeInfo(cpus: 8, memoryKiB: 16 * 1024 * 1024 + 512)

    init(guestHonoursShutdown: Bool = true) {
        state.withLock { $0.guestHonoursShutdown = guestHonoursShutdown }
    }

    var calls: [String] { state.withLock { $0.calls } }
    func domain(_ id: ObjectID) -> Domain? { state.withLock { $0.domains[id] } }
    func clearCalls() { state.withLock { $0.calls.removeAll() } }

    /// libvirt's "Domain not found" error.
    static func noDomain(_ id: ObjectID) -> LibvirtError {
        LibvirtError(operation: "virDomainLookupByUUIDString", code: Int32(VIR_ERR_NO_DOMAIN.rawValue),
                     message: "Domain not found: no domain with matching uuid '\(id)'")
    }

    static func invalid(_ message: String) -> LibvirtError {
        LibvirtError(operation: "test", code: Int32(VIR_ERR_OPERATION_INVALID.rawValue), message: message)
    }

    private func mutate(_ call: String, _ id: ObjectID, _ body: (inout Domain, inout State) throws -> Void) throws {
        try state.withLock { state in
            state.calls.append("\(call) \(id)")
            guard var domain = state.domains[id] else { throw Self.noDomain(id) }
            try body(&domain, &state)
            state.domains[id] = domain
        }
    }

    func connect() async throws { state.withLock { $0.connected = true } }
    func isConnected() async -> Bool { state.withLock { $0.connected } }

    func status(of id: ObjectID) async throws -> DomainStatus? {
        guard let domain = domain(id) else { return nil }
        let definition = try DomainXML.parse(domain.liveXML ?? domain.xml)
        return DomainStatus(state: domain.state, isActive: domain.isActive, hasManagedSaveImage: domain.managedSave,
                            vcpus: definition.vcpus, memoryKiB: definition.memoryKiB)
    }

    func xml(of id: ObjectID, inactive: Bool) async throws -> String {
        guard let domain = domain(id) else { throw Self.noDomain(id) }
        return inactive ? domain.xml : domain.liveXML ?? domain.xml
    }

    func define(xml: String) async throws {
        let id = try DomainXML.parse(xml).uuid
        state.withLock { state in
            state.calls.append("define \(id)")
            if state.domains[id] == nil {
                state.domains[id] = Domain(xml: xml)
            } else {
                state.domains[id]!.xml = xml
            }
        }
    }

    func start(_ id: ObjectID) async throws {
        try mutate("start", id) { domain, state in
            guard !domain.isActive else { throw Self.invalid("Requested operation is not valid: domain is already running") }
            if let failure = state.startFailure { throw failure }
            // A restored guest comes back with the XML it was saved with; here that is the same,
            // with the VNC port autoport picked: the first from 5900 no running guest has.
            let used = Set(state.domains.values.compactMap { $0.liveXML.flatMap(Self.vncPort) })
            let port = (5900...).first { !used.contains($0) }!
            domain.liveXML = domain.xml.replacingOccurrences(of: "<graphics type='vnc' autoport='yes'",
                                                             with: "<graphics type='vnc' port='\(port)' autoport='yes'")
            domain.state = .running
            domain.managedSave = false
        }
    }

    func resume(_ id: ObjectID) async throws {
        try mutate("resume", id) { domain, _ in
            guard domain.state == .paused else { throw Self.invalid("Requested operation is not valid: domain is not paused") }
            domain.state = .running
        }
    }

    func shutdown(_ id: ObjectID) async throws {
        try mutate("shutdown", id) { domain, state in
            guard domain.isActive else { throw Self.invalid("Requested operation is not valid: domain is not running") }
            if state.guestHonoursShutdown {
                domain.liveXML = nil
                domain.state = .shutOff
            }
        }
    }

    func destroy(_ id: ObjectID) async throws {
        try mutate("destroy", id) { domain, _ in
            guard domain.isActive else { throw Self.invalid("Requested operation is not valid: domain is not running") }
            domain.liveXML = nil
            domain.state = .shutOff
        }
    }

    func managedSave(_ id: ObjectID) async throws {
        try mutate("managedSave", id) { domain, _ in
            guard domain.isActive else { throw Self.invalid("Requested operation is not valid: domain is not running") }
            domain.liveXML = nil
            domain.state = .shutOff
            domain.managedSave = true
        }
    }

    func removeManagedSave(_ id: ObjectID) async throws {
        try mutate("removeManagedSave", id) { domain, _ in domain.managedSave = false }
    }

    func undefine(_ id: ObjectID) async throws {
        try state.withLock { state in
            state.calls.append("undefine \(id)")
            guard state.domains[id] != nil else { throw Self.noDomain(id) }
            state.domains[id] = nil
        }
    }

    func nodeInfo() async throws -> NodeInfo { node }

    func domains() async throws -> [DomainListing] {
        var listings: [DomainListing] = []
        for (id, domain) in state.withLock({ $0.domains }) {
            let name = try DomainXML.parse(domain.xml).name
            if let status = try await status(of: id) {
                listings.append(DomainListing(name: name, uuid: id.description, status: status))
            }
        }
        return listings
    }

    /// The `port` of a live XML's VNC console.
    static func vncPort(_ xml: String) -> Int? {
        guard let range = xml.range(of: "<graphics type='vnc' port='") else { return nil }
        return Int(xml[range.upperBound...].prefix { $0.isNumber })
    }

    /// The host restarted: every guest is gone, every definition (and managed save) stays.
    func restartHost() {
        state.withLock { state in
            for id in state.domains.keys {
                state.domains[id]!.liveXML = nil
                state.domains[id]!.state = .shutOff
            }
        }
    }

    /// Pauses a running guest, as libvirt does on an I/O error.
    func pause(_ id: ObjectID) {
        state.withLock { $0.domains[id]?.state = .paused }
    }

    /// Adds a domain this agent did not make (another tool's guest on the same host).
    func addForeignDomain(name: String, id: ObjectID) {
        let xml = "<domain type='kvm'><name>\(name)</name><uuid>\(id)</uuid><memory>1024</memory><vcpu>1</vcpu></domain>"
        state.withLock { $0.domains[id] = Domain(xml: xml) }
    }
}
