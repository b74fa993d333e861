import Bench
import Foundation
import Messages
import SimulatedHypervisors
import Testing

@Suite("Chaos report, held-object files and poison")
struct ChaosReportTests {
    func report(passing: Bool) -> ChaosReport {
        var ledger = LoadLedger()
        ledger.accepted = [AcceptedVersion(specID: 1, version: 0, kind: .create, at: 1),
                           AcceptedVersion(specID: 2, version: 0, kind: .create, at: 12),
                           AcceptedVersion(specID: 1, version: 1, kind: .delete, at: 14)]
        ledger.refusals = ["503": 2, "connection": 1]
        ledger.refusalTimes = [11, 11.5, 25]
        ledger.seconds = 40
        var observations = ChaosObservations(
            accepted: ledger.accepted,
            versions: [VersionRow(specID: 1, version: 0, state: "superseded", latest: false),
                       VersionRow(specID: 1, version: 1, state: "applied"),
                       VersionRow(specID: 2, version: 0, state: passing ? "applied" : "failed", reason: "boom")])
        observations.services = [ServiceLiveness(name: "api", pid: 1, running: true)]
        var report = ChaosReport(
            machine: MachineInfo(cpus: 2, hostname: "test"), schedule: ChaosSchedule.short(),
            faults: [
                FaultRecord(name: "SIGKILL api, restarted after 3 s", action: "kill api", plannedAt: 10, injectedAt: 10,
                            healedAt: 13.2, injectDetail: "killed api (pid 7)", healDetail: "started api (pid 9)", errors: [],
                            acceptedDuring: 0, refusedDuring: 0, windowEnd: 20, expectation: ""),
                FaultRecord(name: "PostgreSQL restarted (fast shutdown)", action: "pg-restart", plannedAt: 20, injectedAt: 21,
                            healedAt: nil, injectDetail: "PostgreSQL restarted", healDetail: nil, errors: [],
                            acceptedDuring: 0, refusedDuring: 0, windowEnd: 30, expectation: ""),
            ],
            load: ledger, settleSeconds: 2.5, outcome: OutcomeChecker.evaluate(observations))
        report.attributeLoad()
        return report
    }

    @Test("the load is attributed to the fault in effect: from its injection to the next one")
    func attribution() {
        let report = report(passing: true)
        #expect(report.faults.map(\.acceptedDuring) == [2, 0])
        #expect(report.faults.map(\.refusedDuring) == [2, 1])
        #expect(report.faults[0].heldSeconds! > 3.19 && report.faults[0].heldSeconds! < 3.21)
    }

    @Test("the table lists each fault, the outcome and a verdict per check")
    func table() {
        let text = ChaosTable.render(report(passing: true))
        #expect(text.contains("SIGKILL api, restarted after 3 s"))
        #expect(text.contains("killed api (pid 7)"))
        #expect(text.contains("PostgreSQL restarted (fast shutdown)"))
        #expect(text.contains("versions superseded"))
        #expect(text.contains("answered 503"))
        #expect(text.contains("RESULT: PASS"))
        #expect(!text.contains("FAIL"))
    }

    @Test("a failing run says FAIL, and why")
    func failingTable() {
        let report = report(passing: false)
        #expect(!report.passed)
        let text = ChaosTable.render(report)
        #expect(text.contains("RESULT: FAIL"))
        #expect(text.contains("1 × boom"))
    }

    @Test("a fault that could not be injected fails the run")
    func faultError() {
        var report = report(passing: true)
        report.faults[1].errors = ["inject: exit 1: PostgreSQL did not stop"]
        #expect(!report.passed)
        #expect(ChaosTable.render(report).contains("NOT AS PLANNED"))
    }

    @Test("the report survives a round trip through JSON")
    func json() throws {
        let report = report(passing: false)
        let decoded = try ChaosReport.decode(try report.json())
        #expect(decoded.outcome == report.outcome)
        #expect(decoded.faults == report.faults)
        #expect(decoded.load == report.load)
    }

    @Test("held-object files decode as the runtime writes them; tombstones are marked")
    func heldFiles() throws {
        let live = #"{"attempt":2,"held_since":"2025-01-01T00:00:00Z","object":{"id":"D99163ED-0093-40A0-A800-365A1AECE509","type":"resource/volume/file","size":"10gb"},"spec_id":12}"#
        let record = try #require(HeldObjectScanner.decode(Data(live.utf8), agentID: "a", fileName: "x.json"))
        #expect(record == HeldRecord(agentID: "a", objectID: "d99163ed-0093-40a0-a800-365a1aece509",
                                     objectType: "resource/volume/file", specID: 12, attempt: 2, removed: false))
        let tombstone = #"{"attempt":3,"held_since":"2025-01-01T00:00:00Z","object":{"id":"d99163ed-0093-40a0-a800-365a1aece509"},"spec_id":12,"removed":true}"#
        #expect(HeldObjectScanner.decode(Data(tombstone.utf8), agentID: "a", fileName: "x.json")?.removed == true)
        #expect(HeldObjectScanner.decode(Data("not json".utf8), agentID: "a", fileName: "x.json") == nil)
    }

    @Test("a state directory maps to the id n0core-simulated-hypervisors gives its agent")
    func agentIDs() {
        for plan in SimulatedAgentPlan.fleet(hosts: 3, firstHost: 9, stateRoot: "/var/lib/n0core-chaos/agents") {
            #expect(HeldObjectScanner.agentID(stateDirectory: plan.stateDirectory) == plan.agentID.description)
        }
        #expect(HeldObjectScanner.agentID(stateDirectory: "/var/lib/n0core/compute-kvm") == nil)
    }

    @Test("scanning a state root finds every agent's files, live and removed")
    func scan() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-scan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let held = "\(root)/host-1/volumer-file/held"
        try FileManager.default.createDirectory(atPath: held, withIntermediateDirectories: true)
        try Data(#"{"spec_id":1,"object":{"id":"d99163ed-0093-40a0-a800-365a1aece509"},"held_since":"2025-01-01T00:00:00Z"}"#.utf8)
            .write(to: URL(fileURLWithPath: "\(held)/d99163ed-0093-40a0-a800-365a1aece509.json"))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: "\(held)/broken.json"))
        try Data("ignored".utf8).write(to: URL(fileURLWithPath: "\(held)/.tmp.json"))
        let scan = HeldObjectScanner.scan(root: root)
        #expect(scan.records.map(\.agentID) == ["5147a9e0-0002-4000-8000-000000000001"])
        #expect(scan.unreadable == ["\(held)/broken.json"])
    }

    @Test("poison reaches every queue, each with its own id, none naming a spec or an object")
    func poison() {
        let queues = ["scheduler", "conductor", "5147a9e0-0001-4000-8000-000000000000"]
        let messages = PoisonMessages.messages(forQueues: queues)
        #expect(Set(messages.map(\.routingKey)) == Set(queues))
        #expect(Set(messages.map(\.messageID)).count == messages.count)
        #expect(messages.allSatisfy { $0.appID == PoisonMessages.appID })
        for message in messages {
            let body = String(decoding: message.body, as: UTF8.self)
            #expect(!body.contains("spec_id") && !body.contains("\"id\""), "\(body)")
        }
        // Each queue gets its own message types garbled, plus a missing, an unknown and a foreign type.
        #expect(messages.filter { $0.routingKey == "conductor" }.map(\.type).sorted()
            == ["", "ChaosPoison", "Heartbeat", "Heartbeat", "Heartbeat", "Notify", "Notify", "Notify", "Spec"])
    }
}
