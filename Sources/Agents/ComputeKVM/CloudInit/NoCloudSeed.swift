import AgentRuntime
import Messages

/// The files of a VM's cloud-init NoCloud seed, decided from the VM object alone (pure, so
/// each case is unit-tested without a host): what `deploy/guest/make-seed.sh` writes and both
/// n0core's guest image and real cloud-init read (docs/guest-image.md, "The seed").
///
/// Every VM gets one, even without `hostname`, keys or `user_data`: an image with cloud-init
/// then still learns its instance id (the VM's id), a host name (derived from the VM's name)
/// and the NICs' fixed addresses, instead of waiting for a datasource that never comes.
///
/// - `meta-data`: `instance-id` (the VM id), `local-hostname`, `public-keys` (the VM's keys).
/// - `user-data`: the VM's `user_data` exactly as given; without it a `#cloud-config` with
///   `hostname`, `disable_root: false` (cloud images then take the keys for root too) and
///   `ssh_authorized_keys`. The keys and host name are in `meta-data` as well, so a user's own
///   user-data does not lose them.
/// - `network-config` (version 2): one entry per NIC, matched by its MAC and named `eth0`,
///   `eth1` … in the VM's order. A NIC with fixed addresses gets them with their subnet's prefix
///   length, the first subnet's gateway as default route (only on the first NIC that has one)
///   and the subnets' nameservers; a NIC without gets `dhcp4: true`. No NICs, no file.
public struct NoCloudSeed: Sendable, Hashable {
    public var metaData: String
    public var userData: String
    public var networkConfig: String?

    /// The file names and contents, in the order written.
    public var files: [(name: String, contents: String)] {
        [("meta-data", metaData), ("user-data", userData)] + (networkConfig.map { [("network-config", $0)] } ?? [])
    }

    /// - Throws: ``AgentRuntime/AgentFailure`` naming the field when a value cannot go into the
    ///   seed (the API refuses these first; the agent checks again).
    public init(vm: Object) throws {
        guard let id = vm.id else { throw AgentFailure("the VM has no id") }
        let what = "vm \(id)"
        let hostname = try Self.hostname(of: vm, what: what)
        let keys = vm.sshAuthorizedKeys ?? []
        guard keys.count <= SSHAuthorizedKey.maximumCount else {
            throw AgentFailure("\(what): ssh_authorized_keys has \(keys.count) keys; at most "
                + "\(SSHAuthorizedKey.maximumCount) are allowed")
        }
        for (index, key) in keys.enumerated() {
            if let problem = SSHAuthorizedKey.problem(key) {
                throw AgentFailure("\(what): ssh_authorized_keys[\(index)] \(problem)")
            }
        }
        if let userData = vm.userData {
            if userData == Object.passwordMask {
                throw AgentFailure("\(what): user_data arrived masked ('\(Object.passwordMask)'), not as the user's "
                    + "user-data; apply the spec again")
            }
            if let problem = UserData.problem(userData) { throw AgentFailure("\(what): user_data \(problem)") }
        }

        var meta = ["instance-id: \(YAMLScalar.quoted(id.description))",
                    "local-hostname: \(YAMLScalar.quoted(hostname))"]
        if !keys.isEmpty {
            meta.append("public-keys:")
            meta += keys.map { "  - \(YAMLScalar.quoted($0))" }
        }
        metaData = meta.joined(separator: "\n") + "\n"

        if let given = vm.userData {
            userData = given
        } else {
            var lines = ["#cloud-config", "hostname: \(YAMLScalar.quoted(hostname))", "disable_root: false"]
            if !keys.isEmpty {
                lines.append("ssh_authorized_keys:")
                lines += keys.map { "  - \(YAMLScalar.quoted($0))" }
            }
            userData = lines.joined(separator: "\n") + "\n"
        }
        networkConfig = try Self.networkConfig(of: vm, what: what)
    }

    /// The VM's `hostname`, else one derived from its name, else `n0-` and the start of its id.
    static func hostname(of vm: Object, what: String) throws -> String {
        if let given = vm.hostname {
            if let problem = HostName.problem(given) { throw AgentFailure("\(what): hostname \(problem)") }
            return given
        }
        if let name = vm.name, let derived = HostName.derived(from: name) { return derived }
        return "n0-" + String(vm.id!.description.prefix(8))
    }
}
