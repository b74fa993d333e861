import CLibvirt

/// A failed libvirt call, with libvirt's own message (what a person needs in an `ERROR` Notify:
/// "Cannot access storage file '/data/…': No such file or directory") and its error code.
public struct LibvirtError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The C function that failed, e.g. `virDomainCreate`.
    public var operation: String
    /// libvirt's `virErrorNumber` (`VIR_ERR_NO_DOMAIN` …); 0 when libvirt set none.
    public var code: Int32
    /// libvirt's message, or a stand-in naming the operation when it left none.
    public var message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// libvirt's message as it is: it already says what failed and why.
    public var description: String { message }

    /// The domain does not exist (`VIR_ERR_NO_DOMAIN`).
    public var isNoDomain: Bool { code == Int32(VIR_ERR_NO_DOMAIN.rawValue) }

    /// The operation does not apply in the domain's current state (`VIR_ERR_OPERATION_INVALID`),
    /// e.g. destroying a domain that has just stopped by itself.
    public var isInvalidInCurrentState: Bool { code == Int32(VIR_ERR_OPERATION_INVALID.rawValue) }

    /// The error libvirt recorded for the calling thread, which is then cleared. libvirt keeps
    /// it per thread, so this must run on the thread that made the failed call.
    static func last(_ operation: String) -> LibvirtError {
        defer { virResetLastError() }
        guard let error = virGetLastError() else {
            return LibvirtError(operation: operation, code: 0, message: "\(operation) failed without saying why")
        }
        let message = error.pointee.message.map { String(cString: $0) } ?? "\(operation) failed without saying why"
        return LibvirtError(operation: operation, code: error.pointee.code, message: message)
    }
}
