/// Desired states per type (design §4, "Objects").
///
/// Desired states are plain strings rather than one enum because each type has its own set and
/// the wire carries them as strings; these tables are the one place that knows the sets.
extension ObjectType {
    /// The state an object of this type is driven to when the document names none.
    public var defaultDesiredState: String {
        allowedDesiredStates[0]
    }

    /// Every desired state an object of this type accepts, the default first.
    ///
    /// NICs also accept `deleted`: the design's table lists only attached/detached, but
    /// `DELETE` drives every object to `deleted` and the porter must then remove the NIC.
    public var allowedDesiredStates: [String] {
        switch self {
        case .vmKVM: ["running", "poweroff", "saved", "deleted"]
        case .volumeFile: ["allocated", "deleted", "destroyed"]
        case .nic: ["attached", "detached", "deleted"]
        case .networkVLAN: ["applied", "down", "deleted"]
        case .image: ["available", "deleted"]
        case .agentComputeKVM, .agentVolumerFile, .agentPorterVLAN: ["alived", "dead"]
        }
    }

    /// The key the desired state is written under: `state` for networks and agents, `status`
    /// for the others, exactly as the seed documents spell it.
    public var desiredStateKey: String {
        switch self {
        case .networkVLAN, .agentComputeKVM, .agentVolumerFile, .agentPorterVLAN: "state"
        case .vmKVM, .volumeFile, .nic, .image: "status"
        }
    }

    /// The type-specific keys an object of this type may carry (besides the common ones).
    var fieldKeys: Set<ObjectKey> {
        switch self {
        case .vmKVM: [.arch, .vcpus, .memory, .vncPassword, .kernel, .initrd, .cmdline, .hostname, .sshAuthorizedKeys, .userData,
                      .vncAddress]
        case .volumeFile: [.size, .url, .source]
        case .nic: [.hwAddr, .ipAddresses]
        case .networkVLAN: [.bridge, .subnets, .parameters]
        case .image: [.source, .format, .checksum, .url]
        // An agent's `ip_addresses`: where other hosts reach it (a porter's underlay address);
        // its `url`: where other hosts fetch from it (a volumer's volume export).
        case .agentComputeKVM, .agentVolumerFile, .agentPorterVLAN: [.hostID, .capacity, .ipAddresses, .url]
        }
    }
}
