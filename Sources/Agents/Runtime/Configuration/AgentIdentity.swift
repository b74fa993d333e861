import Foundation
import Messages

/// Who an agent is: its own id (its queue's name) and the host it runs on.
///
/// Both must survive restarts, or work queued for the agent would be orphaned and the scheduler
/// would count the host twice: a configured value wins; otherwise the value kept in the state
/// directory (`agent-id`, `host-id`); otherwise a new one is made and kept there. A new host id
/// comes from `/etc/machine-id` when the machine has one, so the three agents of one host agree
/// on it without configuration; otherwise it is random.
public struct AgentIdentity: Sendable, Hashable {
    public var agentID: ObjectID
    public var hostID: ObjectID

    public init(agentID: ObjectID, hostID: ObjectID) {
        self.agentID = agentID
        self.hostID = hostID
    }

    /// Resolves the identity as described above, creating `stateDirectory` if needed.
    /// - Throws: ``AgentFailure`` when the state directory or a kept file is unusable.
    public static func load(
        configuredAgentID: ObjectID?,
        configuredHostID: ObjectID?,
        stateDirectory: String,
        machineIDPath: String = "/etc/machine-id"
    ) throws -> AgentIdentity {
        let directory = URL(fileURLWithPath: stateDirectory, isDirectory: true)
        do {
            try OwnerOnly.createDirectory(atPath: directory.path)
        } catch {
            throw AgentFailure("cannot create the agent state directory \(stateDirectory): \(error.localizedDescription)")
        }
        let agentID = try configuredAgentID ?? kept(directory.appendingPathComponent("agent-id")) { ObjectID() }
        let hostID = try configuredHostID ?? kept(directory.appendingPathComponent("host-id")) {
            machineID(at: machineIDPath) ?? ObjectID()
        }
        return AgentIdentity(agentID: agentID, hostID: hostID)
    }

    /// The id in `file`, or a new one from `make`, written there first.
    private static func kept(_ file: URL, make: () -> ObjectID) throws -> ObjectID {
        if let data = FileManager.default.contents(atPath: file.path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let id = ObjectID(text) else {
                throw AgentFailure("\(file.path) holds '\(text.prefix(64))', not a UUID; fix or remove it "
                    + "(removing it gives the agent a new identity)")
            }
            return id
        }
        let id = make()
        do {
            try AtomicFile.write(Data((id.description + "\n").utf8), to: file)
        } catch {
            throw AgentFailure("cannot write \(file.path): \(error.localizedDescription)")
        }
        return id
    }

    /// The 128-bit machine id (32 hex digits) read as a UUID.
    static func machineID(at path: String) -> ObjectID? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let hex = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        let characters = Array(hex)
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }
        return ObjectID(groups.joined(separator: "-"))
    }
}
