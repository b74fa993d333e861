/// The relation labels (`property.r`) of dependencies.
public enum Relation {
    /// VM → volume and VM → NIC.
    public static let vmAttachments = "n0stack/n0core/vm/attachments"
    /// NIC → network.
    public static let portNetwork = "n0stack/n0core/port/network"
    /// Volume → the image it is made from (docs/images.md).
    public static let volumeImage = "n0stack/n0core/volume/image"
    /// Object → the agent the scheduler placed it on.
    public static let scheduled = "n0stack/n0core/resource/scheduled"
    /// Network → each other porter it spans (in a `Request` only, set by the scheduler): the
    /// overlay's peers, each an agent object whose `ip_addresses` is its host's underlay address.
    public static let networkPeer = "n0stack/n0core/network/peer"
    /// Network → the one porter that serves its DHCP (in a `Request` only, set by the scheduler
    /// when the network spans several hosts); the others carry its L2 without a DHCP server.
    public static let networkDHCPServer = "n0stack/n0core/network/dhcp_server"
}
