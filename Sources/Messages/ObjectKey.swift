/// Every key an object may carry on the wire, in the order they are written.
///
/// `state`/`status` are two spellings of the one desired state, and `relatioins` is the seed's
/// misspelling of `dependencies`; both are accepted on input only.
enum ObjectKey: String, CodingKey, CaseIterable, Hashable {
    case type, id, variable, name, state, status
    case arch, vcpus, memory
    case vncPassword = "vnc_password"
    case kernel, initrd, cmdline
    case hostname
    case sshAuthorizedKeys = "ssh_authorized_keys"
    case userData = "user_data"
    case vncAddress = "vnc_address"
    case size, url, source
    case hwAddr = "hw_addr"
    case ipAddresses = "ip_addresses"
    case bridge, subnets, parameters
    case hostID = "host_id"
    case capacity
    case dependencies
    case relatioins

    /// Keys that belong to some type rather than to every object.
    static let typeFields: Set<ObjectKey> = Set(ObjectType.allCases.flatMap(\.fieldKeys))
}
