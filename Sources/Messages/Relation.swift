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
}
