import Foundation

/// One `held/<object-id>.json` file of an agent: what the agent runtime says it holds (or, a
/// tombstone, has removed).
public struct HeldRecord: Sendable, Hashable, Codable {
    /// The agent whose state directory holds the file.
    public var agentID: String
    public var objectID: String
    public var objectType: String?
    public var specID: Int64?
    public var attempt: Int?
    /// A tombstone: the agent removed the object.
    public var removed: Bool

    public init(agentID: String, objectID: String, objectType: String? = nil, specID: Int64? = nil, attempt: Int? = nil,
                removed: Bool = false) {
        self.agentID = agentID
        self.objectID = objectID
        self.objectType = objectType
        self.specID = specID
        self.attempt = attempt
        self.removed = removed
    }
}

/// Reads the held-object files of simulated agents under their state root
/// (`ROOT/host-N/KIND/held/*.json`, as `n0core-simulated-hypervisors --state-root ROOT` lays
/// them out).
public enum HeldObjectScanner {
    /// The agent kinds in the order of the digit K in a simulated agent's id.
    static let kinds = ["compute-kvm", "volumer-file", "porter-vlan"]

    /// The id `n0core-simulated-hypervisors` gives the agent of `kind` on host `index`:
    /// `5147a9e0-000K-4000-8000-<index as 12 hex digits>` (``SimulatedAgentPlan``).
    public static func simulatedAgentID(hostIndex: Int, kind: String) -> String? {
        guard let digit = kinds.firstIndex(of: kind).map({ $0 + 1 }), hostIndex >= 0 else { return nil }
        let hex = String(UInt64(hostIndex) & 0xFFFF_FFFF_FFFF, radix: 16)
        return "5147a9e0-000\(digit)-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }

    /// The agent id for a state directory `…/host-N/KIND`, or nil for another layout.
    public static func agentID(stateDirectory: String) -> String? {
        let parts = stateDirectory.split(separator: "/")
        guard parts.count >= 2, parts[parts.count - 2].hasPrefix("host-"),
              let index = Int(parts[parts.count - 2].dropFirst("host-".count)) else { return nil }
        return simulatedAgentID(hostIndex: index, kind: String(parts[parts.count - 1]))
    }

    /// What a held-object file says; nil when it is not one (or cannot be read).
    public static func decode(_ data: Data, agentID: String, fileName: String) -> HeldRecord? {
        struct File: Decodable {
            struct Object: Decodable {
                var id: String?
                var type: String?
            }
            var specID: Int64?
            var object: Object?
            var attempt: Int?
            var removed: Bool?

            enum CodingKeys: String, CodingKey {
                case specID = "spec_id"
                case object, attempt, removed
            }
        }
        guard let file = try? JSONDecoder().decode(File.self, from: data) else { return nil }
        let fromName = fileName.hasSuffix(".json") ? String(fileName.dropLast(5)) : fileName
        let id = (file.object?.id ?? fromName).lowercased()
        return HeldRecord(agentID: agentID, objectID: id, objectType: file.object?.type, specID: file.specID,
                          attempt: file.attempt, removed: file.removed ?? false)
    }

    /// Every record under `root`, and the paths of files that could not be read.
    public static func scan(root: String) -> (records: [HeldRecord], unreadable: [String]) {
        let manager = FileManager.default
        var records: [HeldRecord] = []
        var unreadable: [String] = []
        let hosts = ((try? manager.contentsOfDirectory(atPath: root)) ?? []).filter { $0.hasPrefix("host-") }.sorted()
        for host in hosts {
            for kind in kinds {
                let directory = "\(root)/\(host)/\(kind)"
                guard let agent = agentID(stateDirectory: directory) else { continue }
                let heldDirectory = "\(directory)/held"
                let names = ((try? manager.contentsOfDirectory(atPath: heldDirectory)) ?? []).sorted()
                for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
                    let path = "\(heldDirectory)/\(name)"
                    guard let data = manager.contents(atPath: path),
                          let record = decode(data, agentID: agent, fileName: name) else {
                        unreadable.append(path)
                        continue
                    }
                    records.append(record)
                }
            }
        }
        return (records, unreadable)
    }
}
