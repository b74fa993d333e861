import Foundation

/// Everything one chaos run did and found, as printed and written to JSON.
public struct ChaosReport: Sendable, Codable {
    public var startedAt: Date
    public var machine: MachineInfo
    public var settings: [String: String]
    public var schedule: ChaosSchedule
    public var faults: [FaultRecord]
    public var load: LoadLedger
    /// Seconds from the end of the load until nothing was pending (or the settle limit).
    public var settleSeconds: Double
    /// Whether everything settled within the limit.
    public var settled: Bool
    /// The event log by kind (`SCHEDULED`, `APPLIED`, `FAILED`, reschedules …).
    public var events: [String: Int]
    /// For pending versions: where their objects stand (placements, last event).
    public var pendingDetails: [String]
    /// For specs stored without a 201: when, and during which fault.
    public var storedWithoutAnswerDetails: [String] = []
    public var outcome: ChaosOutcome

    public init(startedAt: Date = Date(), machine: MachineInfo = .current, settings: [String: String] = [:],
                schedule: ChaosSchedule, faults: [FaultRecord] = [], load: LoadLedger = LoadLedger(),
                settleSeconds: Double = 0, settled: Bool = true, events: [String: Int] = [:],
                pendingDetails: [String] = [], outcome: ChaosOutcome = ChaosOutcome()) {
        self.startedAt = startedAt
        self.machine = machine
        self.settings = settings
        self.schedule = schedule
        self.faults = faults
        self.load = load
        self.settleSeconds = settleSeconds
        self.settled = settled
        self.events = events
        self.pendingDetails = pendingDetails
        self.outcome = outcome
    }

    public var passed: Bool {
        outcome.passed && faults.allSatisfy(\.errors.isEmpty)
    }

    /// The JSON written with `--json`: the properties' own (camelCase) names, sorted, ISO 8601
    /// dates. (Not snake_case: `specID` would come back as `specId`.)
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> ChaosReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ChaosReport.self, from: data)
    }

    /// Fills each fault's counts of what the load saw from its injection to the next fault.
    public mutating func attributeLoad() {
        for index in faults.indices {
            let from = faults[index].injectedAt
            let to = index + 1 < faults.count ? faults[index + 1].injectedAt : faults[index].windowEnd
            faults[index].windowEnd = to
            faults[index].acceptedDuring = load.accepted(from: from, to: to)
            faults[index].refusedDuring = load.refused(from: from, to: to)
        }
    }
}

/// The chaos run's table.
public enum ChaosTable {
    public static func render(_ report: ChaosReport) -> String {
        var out: [String] = []
        let o = report.outcome
        out.append("")
        out.append("  n0core chaos, profile \(report.schedule.profile), \(report.machine.cpus) cores, \(report.machine.hostname), "
            + "started \(ISO8601DateFormatter().string(from: report.startedAt))")
        if !report.settings.isEmpty {
            out.append("  " + report.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        out.append("")

        var faults = TextTable("fault injected", "at s", "held s", "accepted", "refused")
        let firstFault = report.faults.first?.injectedAt ?? report.load.seconds
        faults.add("(load alone, warm-up)", "0.0", "-", "\(report.load.accepted(from: 0, to: firstFault))",
                   "\(report.load.refused(from: 0, to: firstFault))")
        for (index, fault) in report.faults.enumerated() {
            faults.add("\(index + 1). \(fault.name)", Figure.fixed(fault.injectedAt, 1),
                       fault.heldSeconds.map { Figure.fixed($0, 1) } ?? "-", "\(fault.acceptedDuring)", "\(fault.refusedDuring)")
        }
        out.append(faults.render())
        out.append("  (accepted / refused: versions the API accepted, and requests it refused or could not answer, from the")
        out.append("   fault's injection to the next fault; held: from the end of the injection to the end of the healing)")
        for (index, fault) in report.faults.enumerated() {
            var line = "  \(index + 1). \(fault.injectDetail)"
            if let heal = fault.healDetail, !heal.isEmpty { line += " → \(heal)" }
            if !fault.errors.isEmpty { line += "  NOT AS PLANNED: " + fault.errors.joined(separator: "; ") }
            out.append(line)
        }
        out.append("")

        var load = TextTable("load (\(Figure.fixed(report.load.seconds, 0)) s)", "count")
        let creates = report.load.accepted.filter { $0.kind == .create }.count
        load.add("POST answered 201", "\(creates)")
        load.add("DELETE answered 202", "\(report.load.accepted.count - creates)")
        for (kind, count) in report.load.refusals.sorted(by: { $0.key < $1.key }) {
            load.add(kind == "connection" ? "no answer (connection refused or reset)"
                     : kind == "timeout" ? "no answer within the request timeout" : "answered \(kind)", "\(count)")
        }
        load.add("waits the clients gave up on", "\(report.load.waitsAbandoned)")
        out.append(load.render())
        out.append("")

        var outcome = TextTable("outcome (from the database and the agents' state)", "count")
        outcome.add("specs accepted (201)", "\(o.specsAccepted)")
        outcome.add("deletions accepted (202)", "\(o.deletesAccepted)")
        outcome.add("specs stored without a 201 to the client", "\(o.storedWithoutAnswer.count)")
        outcome.add("accepted versions missing from the database", "\(o.missingVersions.count)")
        let states = o.count
        outcome.add("versions applied", "\(states.applied)")
        outcome.add("versions failed", "\(states.failed)")
        outcome.add("versions pending", "\(states.pending)")
        outcome.add("versions superseded", "\(states.superseded)")
        outcome.add("settled after the load stopped", report.settled
            ? "in \(Figure.fixed(report.settleSeconds, 1)) s" : "NOT within \(Figure.fixed(report.settleSeconds, 0)) s")
        outcome.add("objects held (live / tombstones)", "\(o.heldObjectsLive) / \(o.heldTombstones)")
        outcome.add("objects held by two agents", "\(o.duplicates.count)")
        outcome.add("deleted objects still held", "\(Set(o.deletedButHeld.map(\.objectID)).count)")
        outcome.add("objects held where the graph does not place them", "\(o.strays.count)")
        outcome.add("applied objects their agent does not hold", "\(o.appliedNotHeldCount)")
        outcome.add("claims of deleted objects (or of no node)", "\(o.suspiciousClaims.count)")
        outcome.add("dead letters in n0core.dead", "\(o.deadLettersTotal)")
        outcome.add("  poison (expected): dead-lettered / published", "\(o.poisonDeadLettered) / \(o.poisonPublished)")
        outcome.add("  poison without a reason header", "\(o.poisonWithoutReason)")
        outcome.add("  unexpected (valid work dead-lettered)", "\(o.unexpectedDeadLetters.count)")
        out.append(outcome.render())

        if !report.events.isEmpty {
            out.append("")
            var events = TextTable("event log", "count")
            for (kind, count) in report.events.sorted(by: { $0.key < $1.key }) { events.add(kind, "\(count)") }
            out.append(events.render())
        }

        if !o.failureReasons.isEmpty {
            out.append("")
            out.append("  failure reasons (versions failed):")
            for reason in o.failureReasons {
                out.append("    \(reason.count) × \(reason.reason)  (specs \(reason.specIDs.map(String.init).joined(separator: ", ")))")
            }
        }
        if o.pendingCount > 0 {
            out.append("")
            out.append("  pending versions (\(o.pendingCount); first \(o.pending.count)):")
            for row in o.pending { out.append("    spec \(row.specID) version \(row.version)\(row.latest ? "" : " (not latest)")") }
            for line in report.pendingDetails.prefix(40) { out.append("    \(line)") }
        }
        if !o.missingVersions.isEmpty {
            out.append("")
            out.append("  accepted but not in the database:")
            for version in o.missingVersions.prefix(20) { out.append("    spec \(version.specID) version \(version.version) (\(version.kind.rawValue))") }
        }
        if !o.storedWithoutAnswer.isEmpty {
            out.append("")
            out.append("  specs stored without a 201 to the client (\(o.storedWithoutAnswer.count)):")
            if report.storedWithoutAnswerDetails.isEmpty {
                out.append("    " + o.storedWithoutAnswer.prefix(20).map(String.init).joined(separator: ", "))
            }
            for line in report.storedWithoutAnswerDetails.prefix(20) { out.append("    \(line)") }
        }
        if !o.duplicates.isEmpty {
            out.append("")
            out.append("  objects held by two agents:")
            for duplicate in o.duplicates.prefix(20) {
                let attempts = duplicate.attempts.map { $0.map(String.init) ?? "-" }.joined(separator: ", ")
                out.append("    \(duplicate.objectID): \(duplicate.agents.joined(separator: ", ")) (attempts \(attempts)); "
                    + "placed on \(duplicate.placedOn ?? "nothing")")
            }
        }
        if !o.deletedButHeld.isEmpty {
            out.append("")
            out.append("  deleted objects still held:")
            for record in o.deletedButHeld.prefix(20) {
                out.append("    \(record.objectID) (\(record.objectType ?? "?"), spec \(record.specID.map(String.init) ?? "?")) on \(record.agentID)")
            }
        }
        if !o.strays.isEmpty {
            out.append("")
            out.append("  objects held where the graph does not place them:")
            for stray in o.strays.prefix(20) {
                out.append("    \(stray.objectID) held by \(stray.heldBy); "
                    + (stray.inGraph ? "placed on \(stray.placedOn ?? "nothing")" : "not in the graph"))
            }
        }
        if !o.appliedNotHeld.isEmpty {
            out.append("")
            out.append("  applied objects their agent does not hold (\(o.appliedNotHeldCount)):")
            for node in o.appliedNotHeld.prefix(20) {
                out.append("    \(node.id) (\(node.type), spec \(node.specID.map(String.init) ?? "?")) placed on \(node.scheduledAgent ?? "nothing")")
            }
        }
        if !o.suspiciousClaims.isEmpty {
            out.append("")
            out.append("  claims of deleted objects (or of no node):")
            for claim in o.suspiciousClaims.prefix(20) {
                out.append("    \(claim.objectID) on \(claim.agentID), spec \(claim.specID.map(String.init) ?? "?"): "
                    + (claim.desiredState.map { "desired \($0)" } ?? "no node"))
            }
        }
        if !o.unexpectedDeadLetters.isEmpty {
            out.append("")
            out.append("  valid work dead-lettered (\(o.unexpectedDeadLetters.count)):")
            for letter in o.unexpectedDeadLetters.prefix(20) {
                out.append("    \(letter.type ?? "?") \(letter.messageID ?? "?") from \(letter.appID ?? "?") on \(letter.queue ?? "?")"
                    + (letter.correlationID.map { " (spec \($0))" } ?? "") + ": "
                    + (letter.reason ?? "no reason header; broker: \(letter.brokerReason ?? "?")"))
            }
        }
        if !o.pausedConsumers.isEmpty {
            out.append("")
            out.append("  consumers still paused at the end (n0core_consumer_paused = 1):")
            for consumer in o.pausedConsumers {
                out.append("    \(consumer.service), queue \(consumer.queue): \(consumer.inHand.map { "\($0) deliveries in hand" } ?? "")")
            }
        }
        if !o.metricsErrors.isEmpty {
            out.append("")
            out.append("  metrics that could not be read: \(o.metricsErrors.joined(separator: "; "))")
        }
        if !o.servicesDown.isEmpty {
            out.append("")
            out.append("  services not running at the end: \(o.servicesDown.joined(separator: ", "))")
        }

        out.append("")
        var verdict = TextTable("check", "measured", "verdict")
        for check in o.checks { verdict.add(check.name, check.measured, check.passed ? "PASS" : "FAIL") }
        let faultErrors = report.faults.filter { !$0.errors.isEmpty }.count
        verdict.add("faults injected as planned", "\(report.faults.count - faultErrors) of \(report.faults.count)",
                    faultErrors == 0 ? "PASS" : "FAIL")
        out.append(verdict.render())
        out.append("")
        out.append("  RESULT: \(report.passed ? "PASS" : "FAIL")")
        out.append("")
        return out.joined(separator: "\n")
    }
}
