import AgentRuntime
import Messages

/// The checks on a volume's source image beyond its own path (``AgentRuntime/ImagesDirectory``
/// resolves that): qemu opens every file of the image's backing chain, so each of them must lie
/// in the images directory too, or a prepared image could hand a guest any file of the host.
/// Pure over what `qemu-img info --backing-chain` reported, so each case is unit-tested.
enum SourceImage {
    /// Formats whose only references to other files are the ones checked here (a backing file
    /// and qcow2's data file); vmdk extents, for one, could name any file.
    static let formats: Set<String> = ["qcow2", "raw"]

    /// The top image of `chain`, once every layer passes.
    /// - Parameter holds: whether a path lies inside the images directory, as a regular file.
    /// - Throws: ``AgentFailure`` naming the rule broken, not the file outside.
    static func check(_ chain: [ImageInfo], name: ImageName, holds: (String) -> Bool) throws -> ImageInfo {
        guard let top = chain.first else {
            throw AgentFailure("source \(name): qemu-img reported nothing about the image")
        }
        for (depth, layer) in chain.enumerated() {
            let what = depth == 0 ? "source \(name)" : "source \(name): its backing image (level \(depth))"
            guard formats.contains(layer.format) else {
                throw AgentFailure("\(what) is a \(layer.format) image; a source must be a qcow2 or raw image")
            }
            if depth > 0 {
                guard let file = layer.filename, holds(file) else {
                    throw AgentFailure("\(what) lies outside this hypervisor's images directory, so the image is "
                        + "refused; an image's backing files must be in the images directory too")
                }
            }
            if layer.dataFile != nil {
                throw AgentFailure("\(what) keeps its data in an external data file, which is refused; convert it "
                    + "to a self-contained image (qemu-img convert)")
            }
        }
        if chain.last?.backingFile != nil {
            throw AgentFailure("source \(name): a backing image of it cannot be opened, so the image is refused")
        }
        return top
    }
}
