import AgentRuntime
import Foundation
import Messages

/// Where the compute agent keeps each VM's NoCloud seed (`compute.seeds_directory`, its owner's
/// only): `n0-ID.iso`, the ISO9660 image attached to the guest, and `n0-ID/`, the files it was
/// made from, which say whether a new seed differs from the one written.
///
/// The image is made with `genisoimage` (volume label `cidata`, Rock Ridge and Joliet, as
/// `deploy/guest/make-seed.sh` makes it) under a temporary name and renamed into place, so a
/// guest never opens half an image; a guest that runs keeps the image it opened and reads a new
/// one at its next start. Files are 0600 and directories 0700: the user-data may hold secrets.
/// Nothing here logs a file's contents.
public struct SeedDirectory: Sendable {
    public let path: String
    let commands: any CommandRunner

    public init(path: String, commands: any CommandRunner) {
        self.path = path
        self.commands = commands
    }

    /// The image attached to the VM's domain.
    public static func imagePath(in directory: String, of id: ObjectID) -> String {
        "\(directory)/\(DomainName.name(of: id)).iso"
    }

    func imagePath(of id: ObjectID) -> String { Self.imagePath(in: path, of: id) }
    func filesPath(of id: ObjectID) -> String { "\(path)/\(DomainName.name(of: id))" }

    /// Writes `seed` as the VM's image unless the image there was made from the same files;
    /// returns whether it wrote one.
    /// - Throws: ``AgentRuntime/AgentFailure`` saying what could not be done.
    @discardableResult
    public func write(_ seed: NoCloudSeed, for id: ObjectID) async throws -> Bool {
        let image = imagePath(of: id)
        let files = filesPath(of: id)
        if FileManager.default.fileExists(atPath: image), holds(seed, in: files) { return false }
        do {
            try OwnerOnly.createDirectory(atPath: path)
        } catch {
            throw AgentFailure("cannot create the seeds directory \(path): \(error.localizedDescription); set "
                + "compute.seeds_directory to a directory the agent may write")
        }
        let staging = files + ".new"
        let stagedImage = image + ".new"
        try? FileManager.default.removeItem(atPath: staging)
        try? FileManager.default.removeItem(atPath: stagedImage)
        do {
            try OwnerOnly.createDirectory(atPath: staging)
            for file in seed.files {
                try OwnerOnly.createFile(atPath: "\(staging)/\(file.name)", contents: Data(file.contents.utf8))
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw AgentFailure("cannot write the seed files of VM \(id) in \(path): \(error.localizedDescription)")
        }
        do {
            try await commands.check(Command("genisoimage", [
                "-quiet", "-output", stagedImage, "-volid", "cidata", "-joliet", "-rock", staging,
            ], timeout: .seconds(30)))
            try OwnerOnly.restrict(stagedImage)
            try Self.replace(image, with: stagedImage)
            try? FileManager.default.removeItem(atPath: files)
            try FileManager.default.moveItem(atPath: staging, toPath: files)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            try? FileManager.default.removeItem(atPath: stagedImage)
            if case CommandFailure.notFound = error {
                throw AgentFailure("cannot make the cloud-init seed of VM \(id): genisoimage is not installed "
                    + "(apt-get install genisoimage)")
            }
            throw AgentFailure("cannot make the cloud-init seed of VM \(id): \(error)")
        }
        return true
    }

    /// Removes the VM's image and files; what is already gone is fine.
    public func remove(_ id: ObjectID) throws {
        for item in [imagePath(of: id), filesPath(of: id), imagePath(of: id) + ".new", filesPath(of: id) + ".new"]
        where FileManager.default.fileExists(atPath: item) {
            do {
                try FileManager.default.removeItem(atPath: item)
            } catch {
                throw AgentFailure("cannot remove the seed \(item): \(error.localizedDescription)")
            }
        }
    }

    /// Whether `directory` holds exactly the files of `seed`.
    private func holds(_ seed: NoCloudSeed, in directory: String) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory),
              Set(names) == Set(seed.files.map(\.name)) else { return false }
        return seed.files.allSatisfy { file in
            FileManager.default.contents(atPath: "\(directory)/\(file.name)") == Data(file.contents.utf8)
        }
    }

    /// `rename(2)`: atomic, and replaces what is there.
    private static func replace(_ target: String, with source: String) throws {
        guard rename(source, target) == 0 else {
            throw AgentFailure("cannot rename \(source) to \(target): \(String(cString: strerror(errno)))")
        }
    }
}
