import Messages

/// What the compute agent needs from libvirt, by domain UUID (a VM's id), so the driver's
/// decisions are tested against a fake and ``LibvirtHypervisor`` is the only code that touches
/// the C API.
///
/// Operations on a domain that does not exist throw a ``LibvirtError`` with
/// ``LibvirtError/isNoDomain``; ``status(of:)`` answers nil instead.
public protocol Hypervisor: Sendable {
    /// Opens the connection (at start, so a wrong URI stops the agent with libvirt's reason).
    func connect() async throws
    /// Whether the connection is open and answering, for `/readyz`.
    func isConnected() async -> Bool

    /// The domain's state, nil when no domain has this UUID.
    func status(of id: ObjectID) async throws -> DomainStatus?
    /// The domain's XML, including the VNC password (for comparison, never for logs): the
    /// persistent definition with `inactive`, else what the running guest was started with.
    func xml(of id: ObjectID, inactive: Bool) async throws -> String
    /// Defines a new domain or replaces the persistent definition of an existing one (a running
    /// guest keeps its settings until it is started again).
    func define(xml: String) async throws

    /// Starts a defined, inactive domain; restores its managed-save image when it has one.
    func start(_ id: ObjectID) async throws
    func resume(_ id: ObjectID) async throws
    /// Asks the guest to power off (ACPI); returns at once.
    func shutdown(_ id: ObjectID) async throws
    /// Stops the guest at once, like pulling the plug.
    func destroy(_ id: ObjectID) async throws
    /// Saves the guest's memory to disk and stops it; the next start resumes from there.
    func managedSave(_ id: ObjectID) async throws
    func removeManagedSave(_ id: ObjectID) async throws
    /// Removes the persistent definition (and its managed-save image) of an inactive domain.
    func undefine(_ id: ObjectID) async throws

    /// The host's CPUs and memory.
    func nodeInfo() async throws -> NodeInfo
    /// Every domain on this connection, with its name and state.
    func domains() async throws -> [DomainListing]
}

/// A domain's state as the driver needs it.
public struct DomainStatus: Sendable, Hashable {
    public var state: DomainState
    /// A guest process exists (running, paused, …).
    public var isActive: Bool
    /// The domain has a persistent definition (a transient one vanishes when stopped).
    public var isPersistent: Bool
    /// A managed save is waiting to be restored by the next start.
    public var hasManagedSaveImage: Bool
    public var vcpus: Int
    public var memoryKiB: UInt64

    public init(state: DomainState, isActive: Bool, isPersistent: Bool = true, hasManagedSaveImage: Bool = false,
                vcpus: Int, memoryKiB: UInt64) {
        self.state = state
        self.isActive = isActive
        self.isPersistent = isPersistent
        self.hasManagedSaveImage = hasManagedSaveImage
        self.vcpus = vcpus
        self.memoryKiB = memoryKiB
    }
}

/// libvirt's `virDomainState`.
public enum DomainState: String, Sendable, Hashable {
    case running, blocked, paused, shuttingDown = "shutting down", shutOff = "shut off", crashed
    case suspended = "pm-suspended", unknown
}

/// One domain found on the connection.
public struct DomainListing: Sendable, Hashable {
    public var name: String
    public var uuid: String
    public var status: DomainStatus

    public init(name: String, uuid: String, status: DomainStatus) {
        self.name = name
        self.uuid = uuid
        self.status = status
    }
}

/// The host as libvirt sees it (`virNodeGetInfo`).
public struct NodeInfo: Sendable, Hashable {
    /// Active host CPUs.
    public var cpus: Int
    public var memoryKiB: UInt64

    public init(cpus: Int, memoryKiB: UInt64) {
        self.cpus = cpus
        self.memoryKiB = memoryKiB
    }
}
