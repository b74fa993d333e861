import Foundation

/// One PASS/FAIL line of the verdict.
public struct OutcomeCheck: Sendable, Hashable, Codable {
    public var name: String
    public var passed: Bool
    /// The figure behind it, e.g. `0` or `3 of 160`.
    public var measured: String

    public init(name: String, passed: Bool, measured: String) {
        self.name = name
        self.passed = passed
        self.measured = measured
    }
}

/// How often one failure reason occurred (UUIDs replaced by `<id>` so alike reasons group).
public struct ReasonCount: Sendable, Hashable, Codable {
    public var reason: String
    public var count: Int
    /// A few specs that failed for it.
    public var specIDs: [Int64]

    public init(reason: String, count: Int, specIDs: [Int64]) {
        self.reason = reason
        self.count = count
        self.specIDs = specIDs
    }
}

/// An object live in the held state of more than one agent.
public struct DuplicateHolding: Sendable, Hashable, Codable {
    public var objectID: String
    public var agents: [String]
    public var attempts: [Int?]
    /// The agent the graph places it on.
    public var placedOn: String?

    public init(objectID: String, agents: [String], attempts: [Int?], placedOn: String?) {
        self.objectID = objectID
        self.agents = agents
        self.attempts = attempts
        self.placedOn = placedOn
    }
}

/// An object held by an agent the graph does not place it on (or unknown to the graph).
public struct StrayHolding: Sendable, Hashable, Codable {
    public var objectID: String
    public var heldBy: String
    public var placedOn: String?
    public var inGraph: Bool

    public init(objectID: String, heldBy: String, placedOn: String?, inGraph: Bool) {
        self.objectID = objectID
        self.heldBy = heldBy
        self.placedOn = placedOn
        self.inGraph = inGraph
    }
}

/// The run's outcome as the checks see it.
public struct ChaosOutcome: Sendable, Hashable, Codable {
    public init() {}

    /// Specs answered 201.
    public var specsAccepted = 0
    /// Deletions answered 202 with a new version.
    public var deletesAccepted = 0
    /// Specs in the database that no client was answered 201 for (the API died or answered an
    /// error after storing it). They must settle like any other.
    public var storedWithoutAnswer: [Int64] = []
    /// Versions answered 201/202 that the database does not have: lost.
    public var missingVersions: [AcceptedVersion] = []
    /// Every version in the database, by state.
    public var versionStates: [String: Int] = [:]
    /// The latest version of every spec, by state.
    public var latestStates: [String: Int] = [:]
    public var failureReasons: [ReasonCount] = []
    public var pendingCount = 0
    /// The first pending versions, for the report.
    public var pending: [VersionRow] = []
    public var duplicates: [DuplicateHolding] = []
    /// Live held records of objects whose node is deleted.
    public var deletedButHeld: [HeldRecord] = []
    public var strays: [StrayHolding] = []
    /// Objects the graph says are applied (and not deleted) that their agent does not hold.
    public var appliedNotHeldCount = 0
    public var appliedNotHeld: [NodeRow] = []
    public var suspiciousClaims: [ClaimRow] = []
    public var heldObjectsLive = 0
    public var heldTombstones = 0
    public var unreadableHeld: [String] = []
    public var poisonPublished = 0
    /// Poison messages found in the dead-letter queue.
    public var poisonDeadLettered = 0
    public var deadLettersTotal = 0
    /// Dead letters that are not poison the suite sent: valid work dead-lettered.
    public var unexpectedDeadLetters: [DeadLetterRecord] = []
    /// Poison found without a reason header (moved by the broker, not by a service).
    public var poisonWithoutReason = 0
    public var servicesDown: [String] = []
    public var servicesChecked = 0
    public var pausedConsumers: [PausedConsumer] = []
    public var metricsErrors: [String] = []
    public var checks: [OutcomeCheck] = []

    public var passed: Bool { checks.allSatisfy(\.passed) }

    public var count: (applied: Int, failed: Int, pending: Int, superseded: Int) {
        (versionStates["applied", default: 0], versionStates["failed", default: 0],
         versionStates["pending", default: 0], versionStates["superseded", default: 0])
    }
}

/// Turns what was read after a run into its outcome and verdict. Pure, so every rule is tested.
public enum OutcomeChecker {
    /// How many examples the outcome keeps of each kind of problem.
    public static let exampleLimit = 25

    public static func evaluate(_ o: ChaosObservations) -> ChaosOutcome {
        var outcome = ChaosOutcome()
        let creates = Set(o.accepted.filter { $0.kind == .create }.map(\.specID))
        outcome.specsAccepted = creates.count
        outcome.deletesAccepted = Set(o.accepted.filter { $0.kind == .delete }.map { "\($0.specID)/\($0.version)" }).count

        // Versions.
        var rows: [String: VersionRow] = [:]
        for row in o.versions { rows["\(row.specID)/\(row.version)"] = row }
        outcome.missingVersions = o.accepted.filter { rows["\($0.specID)/\($0.version)"] == nil }
        let storedSpecs = Set(o.versions.map(\.specID))
        outcome.storedWithoutAnswer = storedSpecs.subtracting(creates).sorted()
        for row in o.versions {
            outcome.versionStates[row.state, default: 0] += 1
            if row.latest { outcome.latestStates[row.state, default: 0] += 1 }
        }
        let failed = o.versions.filter { $0.state == "failed" }
        var reasons: [String: (count: Int, specs: [Int64])] = [:]
        for row in failed {
            let reason = normalizedReason(row.reason)
            var entry = reasons[reason] ?? (0, [])
            entry.count += 1
            if entry.specs.count < 5 { entry.specs.append(row.specID) }
            reasons[reason] = entry
        }
        outcome.failureReasons = reasons.map { ReasonCount(reason: $0.key, count: $0.value.count, specIDs: $0.value.specs) }
            .sorted { ($0.count, $1.reason) > ($1.count, $0.reason) }
        let pending = o.versions.filter { $0.state == "pending" }.sorted { ($0.specID, $0.version) < ($1.specID, $1.version) }
        outcome.pendingCount = pending.count
        outcome.pending = Array(pending.prefix(exampleLimit))

        // Agents' held state against the graph.
        let nodes = Dictionary(o.nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let live = o.held.filter { !$0.removed }
        outcome.heldObjectsLive = live.count
        outcome.heldTombstones = o.held.count - live.count
        outcome.unreadableHeld = o.unreadableHeld
        let byObject = Dictionary(grouping: live, by: { $0.objectID.lowercased() })
        var duplicates: [DuplicateHolding] = []
        var strays: [StrayHolding] = []
        var deletedButHeld: [HeldRecord] = []
        for (id, records) in byObject.sorted(by: { $0.key < $1.key }) {
            let node = nodes[id]
            let agents = Set(records.map { $0.agentID.lowercased() })
            if agents.count > 1 {
                let sorted = records.sorted { $0.agentID < $1.agentID }
                duplicates.append(DuplicateHolding(objectID: id, agents: sorted.map(\.agentID), attempts: sorted.map(\.attempt),
                                                   placedOn: node?.scheduledAgent))
            }
            if let node, node.isRemoved {
                deletedButHeld += records
                continue
            }
            guard agents.count == 1, let record = records.first else { continue }
            if let node {
                if let placed = node.scheduledAgent, placed != record.agentID.lowercased() {
                    strays.append(StrayHolding(objectID: id, heldBy: record.agentID, placedOn: placed, inGraph: true))
                }
            } else {
                strays.append(StrayHolding(objectID: id, heldBy: record.agentID, placedOn: nil, inGraph: false))
            }
        }
        outcome.duplicates = duplicates
        outcome.deletedButHeld = deletedButHeld
        outcome.strays = strays

        // Applied in the graph (for a spec whose latest version is applied) but held by nobody.
        let appliedSpecs = Set(o.versions.filter { $0.latest && $0.state == "applied" }.map(\.specID))
        let heldIDs = Set(byObject.keys)
        let unheld = o.nodes.filter { node in
            node.type.hasPrefix("resource/") && !node.isRemoved && node.observedState == "APPLIED"
                && node.specID.map(appliedSpecs.contains) == true && !heldIDs.contains(node.id)
        }.sorted { $0.id < $1.id }
        outcome.appliedNotHeldCount = unheld.count
        outcome.appliedNotHeld = Array(unheld.prefix(exampleLimit))
        outcome.suspiciousClaims = o.suspiciousClaims

        // Dead letters.
        let poison = Set(o.poisonIDs.map { $0.lowercased() })
        outcome.poisonPublished = poison.count
        outcome.deadLettersTotal = o.deadLetters.count
        var poisonSeen: Set<String> = []
        for letter in o.deadLetters {
            if let id = letter.messageID?.lowercased(), poison.contains(id) {
                if poisonSeen.insert(id).inserted, letter.reason == nil { outcome.poisonWithoutReason += 1 }
            } else {
                outcome.unexpectedDeadLetters.append(letter)
            }
        }
        outcome.poisonDeadLettered = poisonSeen.count

        outcome.servicesChecked = o.services.count
        outcome.servicesDown = o.services.filter { !$0.running }.map(\.name)
        outcome.pausedConsumers = o.pausedConsumers
        outcome.metricsErrors = o.metricsErrors

        let latestPending = outcome.latestStates["pending", default: 0]
        outcome.checks = [
            OutcomeCheck(name: "accepted versions missing from the database", passed: outcome.missingVersions.isEmpty,
                         measured: "\(outcome.missingVersions.count) of \(o.accepted.count)"),
            OutcomeCheck(name: "versions failed", passed: failed.isEmpty, measured: "\(failed.count)"),
            OutcomeCheck(name: "versions pending", passed: pending.isEmpty,
                         measured: "\(pending.count) (\(latestPending) latest)"),
            OutcomeCheck(name: "objects held by two agents", passed: duplicates.isEmpty, measured: "\(duplicates.count)"),
            OutcomeCheck(name: "deleted objects still held", passed: deletedButHeld.isEmpty,
                         measured: "\(Set(deletedButHeld.map(\.objectID)).count)"),
            OutcomeCheck(name: "objects held where the graph does not place them", passed: strays.isEmpty,
                         measured: "\(strays.count)"),
            OutcomeCheck(name: "applied objects their agent does not hold", passed: unheld.isEmpty,
                         measured: "\(unheld.count)"),
            OutcomeCheck(name: "claims of deleted objects (or of no node)", passed: o.suspiciousClaims.isEmpty,
                         measured: "\(o.suspiciousClaims.count)"),
            OutcomeCheck(name: "valid work dead-lettered", passed: outcome.unexpectedDeadLetters.isEmpty,
                         measured: "\(outcome.unexpectedDeadLetters.count)"),
            OutcomeCheck(name: "poison messages dead-lettered", passed: outcome.poisonDeadLettered == poison.count,
                         measured: "\(outcome.poisonDeadLettered) of \(poison.count)"),
            OutcomeCheck(name: "services running at the end", passed: outcome.servicesDown.isEmpty,
                         measured: "\(o.services.count - outcome.servicesDown.count) of \(o.services.count)"),
            OutcomeCheck(name: "consumers still paused at the end", passed: o.pausedConsumers.isEmpty,
                         measured: "\(o.pausedConsumers.count) (metrics of \(o.metricsRead) services)"),
        ]
        return outcome
    }

    /// A failure reason with UUIDs replaced by `<id>` and long runs of whitespace folded, so
    /// the same cause on different objects counts once.
    public static func normalizedReason(_ reason: String?) -> String {
        guard let reason, !reason.isEmpty else { return "(no reason recorded)" }
        let uuid = #"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"#
        var text = reason.replacingOccurrences(of: uuid, with: "<id>", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        return text.count > 400 ? String(text.prefix(400)) + "…" : text
    }
}
