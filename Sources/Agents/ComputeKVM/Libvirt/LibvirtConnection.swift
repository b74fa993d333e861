import CLibvirt
import Foundation
import Messages

/// The C side of one libvirt connection: the `virConnectPtr` and the calls on it, each turning
/// a failure into a ``LibvirtError`` with libvirt's message.
///
/// Used only on its ``LibvirtThread``; domain pointers never leave a method (each is looked up
/// by UUID, used and freed), so nothing outlives the call that made it.
final class LibvirtConnection: @unchecked Sendable {
    // @unchecked Sendable: confined to one LibvirtThread; never touched elsewhere.

    let uri: String
    private var handle: OpaquePointer?

    init(uri: String) {
        self.uri = uri
    }

    /// The open connection, opened (again) when there is none or it has died (libvirtd
    /// restarted). An embedded driver's connection stays open for the whole process.
    func connection() throws -> OpaquePointer {
        if let handle {
            if virConnectIsAlive(handle) == 1 { return handle }
            virResetLastError()
            virConnectClose(handle)
            self.handle = nil
        }
        LibvirtEventLoop.start()
        guard let opened = virConnectOpen(uri) else { throw LibvirtError.last("virConnectOpen") }
        // Notices a dead libvirtd within about 20 s on remote connections; other drivers do
        // not support keepalive, which is fine.
        if virConnectSetKeepAlive(opened, 5, 3) < 0 { virResetLastError() }
        handle = opened
        return opened
    }

    var isAlive: Bool {
        guard let handle else { return false }
        let alive = virConnectIsAlive(handle) == 1
        virResetLastError()
        return alive
    }

    func close() {
        if let handle { virConnectClose(handle) }
        handle = nil
    }

    // MARK: Domains

    /// Runs `body` with the domain `id`; nil when there is no such domain.
    func withDomain<Result>(_ id: ObjectID, _ body: (OpaquePointer) throws -> Result) throws -> Result? {
        let connection = try connection()
        guard let domain = virDomainLookupByUUIDString(connection, id.description) else {
            let error = LibvirtError.last("virDomainLookupByUUIDString")
            if error.isNoDomain { return nil }
            throw error
        }
        defer { virDomainFree(domain) }
        return try body(domain)
    }

    /// Like ``withDomain(_:_:)``, but a missing domain is an error.
    func onDomain<Result>(_ id: ObjectID, _ body: (OpaquePointer) throws -> Result) throws -> Result {
        guard let result = try withDomain(id, body) else {
            throw LibvirtError(operation: "virDomainLookupByUUIDString", code: Int32(VIR_ERR_NO_DOMAIN.rawValue),
                               message: "Domain not found: no domain with matching uuid '\(id)'")
        }
        return result
    }

    func status(of domain: OpaquePointer) throws -> DomainStatus {
        var info = virDomainInfo()
        try Self.check(virDomainGetInfo(domain, &info), "virDomainGetInfo")
        let active = virDomainIsActive(domain)
        try Self.check(active, "virDomainIsActive")
        let persistent = virDomainIsPersistent(domain)
        try Self.check(persistent, "virDomainIsPersistent")
        let managedSave = virDomainHasManagedSaveImage(domain, 0)
        try Self.check(managedSave, "virDomainHasManagedSaveImage")
        return DomainStatus(state: Self.state(UInt32(info.state)), isActive: active == 1, isPersistent: persistent == 1,
                            hasManagedSaveImage: managedSave == 1, vcpus: Int(info.nrVirtCpu),
                            memoryKiB: UInt64(info.maxMem))
    }

    func xml(of domain: OpaquePointer, flags: UInt32) throws -> String {
        guard let text = virDomainGetXMLDesc(domain, flags) else { throw LibvirtError.last("virDomainGetXMLDesc") }
        defer { free(text) }
        return String(cString: text)
    }

    /// Defines (or redefines) a domain, validating the XML against libvirt's schema first so a
    /// mistake is reported instead of silently dropped.
    func define(xml: String) throws {
        let connection = try connection()
        guard let domain = virDomainDefineXMLFlags(connection, xml, VIR_DOMAIN_DEFINE_VALIDATE.rawValue) else {
            throw LibvirtError.last("virDomainDefineXMLFlags")
        }
        virDomainFree(domain)
    }

    func domains() throws -> [DomainListing] {
        let connection = try connection()
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = virConnectListAllDomains(connection, &list, 0)
        try Self.check(count, "virConnectListAllDomains")
        guard let list else { return [] }
        defer {
            for index in 0..<Int(count) { if let domain = list[index] { virDomainFree(domain) } }
            free(list)
        }
        var result: [DomainListing] = []
        for index in 0..<Int(count) {
            guard let domain = list[index] else { continue }
            guard let name = virDomainGetName(domain) else { throw LibvirtError.last("virDomainGetName") }
            let uuid = try withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(VIR_UUID_STRING_BUFLEN)) { buffer in
                try Self.check(virDomainGetUUIDString(domain, buffer.baseAddress), "virDomainGetUUIDString")
                return String(cString: buffer.baseAddress!)
            }
            do {
                result.append(DomainListing(name: String(cString: name), uuid: uuid, status: try status(of: domain)))
            } catch let error as LibvirtError where error.isNoDomain {
                continue  // undefined while being listed
            }
        }
        return result
    }

    func nodeInfo() throws -> NodeInfo {
        let connection = try connection()
        var info = virNodeInfo()
        try Self.check(virNodeGetInfo(connection, &info), "virNodeGetInfo")
        return NodeInfo(cpus: Int(info.cpus), memoryKiB: UInt64(info.memory))
    }

    // MARK: Helpers

    /// Throws libvirt's error when a call returned a negative status.
    static func check(_ status: Int32, _ operation: String) throws {
        if status < 0 { throw LibvirtError.last(operation) }
    }

    static func state(_ value: UInt32) -> DomainState {
        switch value {
        case VIR_DOMAIN_RUNNING.rawValue: .running
        case VIR_DOMAIN_BLOCKED.rawValue: .blocked
        case VIR_DOMAIN_PAUSED.rawValue: .paused
        case VIR_DOMAIN_SHUTDOWN.rawValue: .shuttingDown
        case VIR_DOMAIN_SHUTOFF.rawValue: .shutOff
        case VIR_DOMAIN_CRASHED.rawValue: .crashed
        case VIR_DOMAIN_PMSUSPENDED.rawValue: .suspended
        default: .unknown
        }
    }
}
