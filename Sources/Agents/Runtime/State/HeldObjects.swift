import Foundation
import Logging
import Messages

/// What the agent has been asked to hold and reported as done: one file per object in the
/// state directory (`held/<id>.json`), written after each successful apply. Agents have no
/// database; this is what start-up reconciliation compares the host with, and what fences off
/// abandoned attempts: each record keeps the attempt that last changed the object, and a
/// removed object leaves a tombstone with its attempt, so a `Request` of an older attempt
/// redelivered later is refused instead of bringing the object back.
///
/// Objects are stored redacted: a VNC password has no business on the agent's disk twice.
public struct HeldObjects: Sendable {
    let directory: URL

    init(directory: URL) throws {
        self.directory = directory
        do {
            try OwnerOnly.createDirectory(atPath: directory.path)
        } catch {
            throw AgentFailure("cannot create \(directory.path): \(error.localizedDescription)")
        }
    }

    func hold(_ object: Object, specID: Int64, attempt: Int?) throws {
        guard let id = object.id else { return }
        let record = HeldObject(specID: specID, object: object.redacted(), heldSince: Date(), attempt: attempt)
        try AtomicFile.write(MessageCodec.encode(record, format: .json), to: file(for: id))
    }

    /// The object is gone from the host: its record becomes a tombstone that keeps `attempt`.
    func release(_ object: Object, specID: Int64, attempt: Int?) throws {
        guard let id = object.id else { return }
        guard let attempt else {
            let file = file(for: id)
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
            return
        }
        let tombstone = HeldObject(specID: specID, object: Object(type: object.type, id: id), heldSince: Date(),
                                   attempt: attempt, removed: true)
        try AtomicFile.write(MessageCodec.encode(tombstone, format: .json), to: file(for: id))
    }

    /// The attempt that last changed `id` here (held or removed); nil when none is known.
    func attempt(of id: ObjectID) -> Int? {
        guard let data = FileManager.default.contents(atPath: file(for: id).path),
              let record = try? MessageCodec.decode(HeldObject.self, from: data, format: .json)
        else { return nil }
        return record.attempt
    }

    /// The held records of the agent whose state directory is `stateDirectory`.
    init(stateDirectory: String) throws {
        try self.init(directory: URL(fileURLWithPath: stateDirectory, isDirectory: true)
            .appendingPathComponent("held", isDirectory: true))
    }

    /// What an agent with state directory `stateDirectory` holds (tombstones left out), as its
    /// runtime recorded it: a simulated host's resources when its process starts again.
    public static func objects(inStateDirectory stateDirectory: String, logger: Logger) throws -> [Object] {
        try HeldObjects(stateDirectory: stateDirectory).all(logger: logger).map(\.object)
    }

    /// Every held object (tombstones left out); unreadable files are logged and skipped.
    func all(logger: Logger) -> [HeldObject] {
        records(logger: logger).filter { !$0.removed }
    }

    private func records(logger: Logger) -> [HeldObject] {
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

/// One object the agent holds, with the spec it came from and the attempt that last changed
/// it; or, `removed`, the tombstone of one it removed.
struct HeldObject: Sendable, Hashable, Codable {
    var specID: Int64
    var object: Object
    var heldSince: Date
    var attempt: Int?
    var removed: Bool

    init(specID: Int64, object: Object, heldSince: Date, attempt: Int? = nil, removed: Bool = false) {
        self.specID = specID
        self.object = object
        self.heldSince = heldSince
        self.attempt = attempt
        self.removed = removed
    }

    enum CodingKeys: String, CodingKey {
        case specID = "spec_id"
        case object
        case heldSince = "held_since"
        case attempt, removed
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        specID = try container.decode(Int64.self, forKey: .specID)
        object = try container.decode(Object.self, forKey: .object)
        heldSince = try container.decode(Date.self, forKey: .heldSince)
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt)
        removed = try container.decodeIfPresent(Bool.self, forKey: .removed) ?? false
    }
}
