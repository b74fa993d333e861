import CLibvirt
import Logging
import Messages

/// ``Hypervisor`` over libvirt's C API: one connection to `uri`, every call made on the
/// connection's own ``LibvirtThread``.
///
/// The connection opens on ``connect()`` (or the first call) and reopens by itself when it has
/// died (libvirtd restarted). With `qemu:///embed?root=DIR` the QEMU driver runs inside this
/// process: the connection must then stay open as long as the agent runs, since the driver
/// reaps its guests only while connected; guests outlive the process and are re-attached by
/// the next one. Mutating calls are logged at debug with their duration (never with XML or
/// libvirt's messages, which the driver reports with the VNC password masked).
public final class LibvirtHypervisor: Hypervisor {
    public let uri: String
    private let thread: LibvirtThread
    private let connection: LibvirtConnection
    private let logger: Logger

    public init(uri: String, logger: Logger) {
        self.uri = uri
        self.logger = logger
        connection = LibvirtConnection(uri: uri)
        thread = LibvirtThread(name: "libvirt: \(uri)")
    }

    deinit {
        thread.stop { [connection] in connection.close() }
    }

    /// Closes the connection once the calls already queued have finished.
    public func close() {
        thread.stop { [connection] in connection.close() }
    }

    public func connect() async throws {
        try await onThread { connection in _ = try connection.connection() }
        logger.info("connected to libvirt", metadata: ["libvirt.uri": "\(uri)"])
    }

    public func isConnected() async -> Bool {
        (try? await onThread { $0.isAlive }) ?? false
    }

    public func status(of id: ObjectID) async throws -> DomainStatus? {
        try await onThread { connection in try connection.withDomain(id) { try connection.status(of: $0) } }
    }

    public func xml(of id: ObjectID, inactive: Bool) async throws -> String {
        let flags = VIR_DOMAIN_XML_SECURE.rawValue | (inactive ? VIR_DOMAIN_XML_INACTIVE.rawValue : 0)
        return try await onThread { connection in try connection.onDomain(id) { try connection.xml(of: $0, flags: flags) } }
    }

    public func define(xml: String) async throws {
        try await logged("virDomainDefineXMLFlags", nil) { connection in try connection.define(xml: xml) }
    }

    public func start(_ id: ObjectID) async throws {
        try await domainCall("virDomainCreate", id) { virDomainCreate($0) }
    }

    public func resume(_ id: ObjectID) async throws {
        try await domainCall("virDomainResume", id) { virDomainResume($0) }
    }

    public func shutdown(_ id: ObjectID) async throws {
        try await domainCall("virDomainShutdown", id) { virDomainShutdown($0) }
    }

    public func destroy(_ id: ObjectID) async throws {
        try await domainCall("virDomainDestroy", id) { virDomainDestroy($0) }
    }

    public func managedSave(_ id: ObjectID) async throws {
        // Restored running, even if the guest happened to be paused when saved.
        try await domainCall("virDomainManagedSave", id) { virDomainManagedSave($0, VIR_DOMAIN_SAVE_RUNNING.rawValue) }
    }

    public func removeManagedSave(_ id: ObjectID) async throws {
        try await domainCall("virDomainManagedSaveRemove", id) { virDomainManagedSaveRemove($0, 0) }
    }

    public func undefine(_ id: ObjectID) async throws {
        // The agent makes no UEFI guests (NVRAM) and no checkpoints, so these two flags cover
        // all it leaves behind.
        let flags = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE.rawValue | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA.rawValue
        try await domainCall("virDomainUndefineFlags", id) { virDomainUndefineFlags($0, flags) }
    }

    public func nodeInfo() async throws -> NodeInfo {
        try await onThread { try $0.nodeInfo() }
    }

    public func domains() async throws -> [DomainListing] {
        try await onThread { try $0.domains() }
    }

    // MARK: Plumbing

    private func onThread<Result: Sendable>(
        _ body: @escaping @Sendable (LibvirtConnection) throws -> Result
    ) async throws -> Result {
        let connection = self.connection
        return try await thread.run { try body(connection) }
    }

    /// A call on one domain that returns libvirt's usual status (negative on failure).
    private func domainCall(_ operation: String, _ id: ObjectID,
                            _ call: @escaping @Sendable (OpaquePointer) -> Int32) async throws {
        try await logged(operation, id) { connection in
            try connection.onDomain(id) { try LibvirtConnection.check(call($0), operation) }
        }
    }

    /// Logs the call with its duration; a failure only with libvirt's error code, since its
    /// message (which may quote the domain XML) reaches the log through the driver, redacted.
    private func logged(_ operation: String, _ id: ObjectID?,
                        _ body: @escaping @Sendable (LibvirtConnection) throws -> Void) async throws {
        let started = ContinuousClock.now
        var metadata: Logger.Metadata = ["libvirt.call": "\(operation)"]
        if let id { metadata["domain_uuid"] = "\(id)" }
        do {
            try await onThread(body)
            metadata["duration_ms"] = "\((ContinuousClock.now - started).milliseconds)"
            logger.debug("libvirt call", metadata: metadata)
        } catch {
            metadata["duration_ms"] = "\((ContinuousClock.now - started).milliseconds)"
            if let error = error as? LibvirtError { metadata["libvirt.error_code"] = "\(error.code)" }
            logger.debug("libvirt call failed", metadata: metadata)
            throw error
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
