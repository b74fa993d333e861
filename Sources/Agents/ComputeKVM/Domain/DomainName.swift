import Messages

/// The libvirt name of a VM's domain: `n0-` and the VM's id. The prefix marks the domains
/// this agent owns, so it never touches others on the same host.
public enum DomainName {
    public static let prefix = "n0-"

    public static func name(of id: ObjectID) -> String {
        prefix + id.description
    }

    /// The serial console log of the VM's domain: `n0-ID.log` in the console directory.
    public static func consoleLog(of id: ObjectID, in directory: String) -> String {
        "\(directory)/\(name(of: id)).log"
    }

    /// The VM id of a domain named by this agent; nil for any other domain.
    public static func vmID(ofDomainNamed name: String) -> ObjectID? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = String(name.dropFirst(prefix.count))
        guard let id = ObjectID(rest), id.description == rest else { return nil }
        return id
    }
}
