import Foundation
import Logging
import Messages

/// What the agent has been asked to hold and reported as done: one file per object in the
/// state directory (`held/<id>.json`), written after each successful apply and removed when
/// the object is deleted. Agents have no database; this is what start-up reconciliation
/// compares the host with.
///
/// Objects are stored redacted: a VNC password has no business on the agent's disk twice.
struct HeldObjects: Sendable {
    let directory: URL

    init(directory: URL) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw AgentFailure("cannot create \(directory.path): \(error.localizedDescription)")
        }
    }

    func hold(_ object: Object, specID: Int64) throws {
        guard let id = object.id else { return }
        let record = HeldObject(specID: specID, object: object.redacted(), heldSince: Date())
        try AtomicFile.write(MessageCodec.encode(record, format: .json), to: file(for: id))
    }

    func release(_ id: ObjectID) throws {
        let file = file(for: id)
        if FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.removeItem(at: file)
        }
    }

    /// Every held object; unreadable files are logged and skipped.
    func all(logger: Logger) -> [HeldObject] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { name in
            guard name.hasSuffix(".json"), !name.hasPrefix(".") else { return nil }
            let path = directory.appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path),
                  let record = try? MessageCodec.decode(HeldObject.self, from: data, format: .json)
            else {
                logger.warning("skipping an unreadable held-object record", metadata: ["file": "\(path)"])
                return nil
            }
            return record
        }
    }

    private func file(for id: ObjectID) -> URL {
        directory.appendingPathComponent("\(id).json")
    }
}

/// One object the agent holds, with the spec it came from.
struct HeldObject: Sendable, Hashable, Codable {
    var specID: Int64
    var object: Object
    var heldSince: Date

    enum CodingKeys: String, CodingKey {
        case specID = "spec_id"
        case object
        case heldSince = "held_since"
    }
}
