import Foundation
import Testing
@testable import CLI

/// The CLI run in-process against a fake API on a real port: requests as the API sees them,
/// output as a user sees it, exit codes as a script sees them.
@Suite struct CLIIntegrationTests {
    let files = ["seed.yaml": Canned.document]

    @Test func applyFollowsTheEventStreamUntilAppliedAndExitsZero() async throws {
        let api = FakeAPI(.init(
            statuses: [Canned.status(state: "pending", progress: "PENDING"),
                       Canned.status(state: "applied", progress: "APPLIED", message: "applied on agent a1", agent: "a1")],
            streams: [": keep-alive\n\n" + Canned.event(12, kind: "SCHEDULED", message: "scheduled on a1")
                + Canned.event(13, kind: "APPLIED", message: "applied on agent a1") + Canned.settled("applied")]))
        let run = try await api.run { url in await CLIRun.run(["apply", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output.contains("spec 7 version 0 stored"))
        #expect(run.output.contains("web  resource/vm/kvm  PENDING"))
        #expect(run.output.contains("web  resource/vm/kvm  SCHEDULED  scheduled on a1"))
        #expect(run.output.contains("web  resource/vm/kvm  APPLIED    applied on agent a1"))
        #expect(run.output.hasSuffix("spec 7 version 0: applied\n"))
        #expect(!run.output.contains("\u{1B}"), "not a terminal: plain lines only")

        let post = try #require(api.requests.first)
        #expect(post.method == "POST" && post.path == "/api/spec")
        #expect(post.contentType == "application/yaml")
        #expect(post.body == Canned.document)
        #expect(post.authorization == "Bearer test-token-s3cret")
        #expect(!(run.output + run.errors).contains("test-token-s3cret"))
    }

    @Test func onATerminalTheLinesAreRedrawnInPlace() async throws {
        let api = FakeAPI(.init(
            statuses: [Canned.status(state: "pending", progress: "PENDING")],
            streams: [Canned.event(12, kind: "APPLIED", message: "applied on agent a1") + Canned.settled("applied")]))
        let run = try await api.run { url in await CLIRun.run(["apply", "-f", "seed.yaml"], apiURL: url, files: files, terminal: true) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output.contains("\u{1B}[1A\r\u{1B}[2Kweb  resource/vm/kvm  APPLIED  applied on agent a1\n"))
    }

    @Test func aFailedSpecExitsOneWithTheReason() async throws {
        let api = FakeAPI(.init(
            statuses: [Canned.status(state: "pending", progress: "PENDING"),
                       Canned.status(state: "failed", progress: "FAILED", message: "no room", reason: "web: no agent has room")],
            streams: [Canned.event(12, kind: "FAILED", message: "no room") + Canned.settled("failed", reason: "web: no agent has room")]))
        let run = try await api.run { url in await CLIRun.run(["apply", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(run.status == 1)
        #expect(run.output.contains("web  resource/vm/kvm  FAILED   no room"))
        #expect(run.errors.contains("spec 7 version 0 failed: web: no agent has room"))
    }

    @Test func withoutAnEventStreamItPollsTheSpec() async throws {
        let api = FakeAPI(.init(
            statuses: [Canned.status(state: "pending", progress: "PENDING"),
                       Canned.status(state: "pending", progress: "SCHEDULED", message: "scheduled on a1"),
                       Canned.status(state: "applied", progress: "APPLIED", message: "applied on agent a1", agent: "a1")],
            streams: nil))
        let run = try await api.run { url in await CLIRun.run(["apply", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output.contains("SCHEDULED  scheduled on a1"))
        #expect(run.output.hasSuffix("spec 7 version 0: applied\n"))
        let reads = api.requests.filter { $0.method == "GET" && $0.path == "/api/spec/7" }
        #expect(reads.count == 3)
        #expect(api.requests.contains { $0.path == "/api/spec/7/events" })
    }

    @Test func aDroppedStreamIsResumedWithLastEventID() async throws {
        let api = FakeAPI(.init(
            statuses: [Canned.status(state: "pending", progress: "PENDING")],
            streams: [Canned.event(12, kind: "SCHEDULED", message: "scheduled on a1"),
                      Canned.event(13, kind: "APPLIED", message: "applied on agent a1") + Canned.settled("applied")]))
        let run = try await api.run { url in await CLIRun.run(["apply", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        let connections = api.requests.filter { $0.path == "/api/spec/7/events" }
        #expect(connections.map(\.lastEventID) == [nil, "12"])
    }

    @Test func aSpecThatDoesNotSettleTimesOutWithThree() async throws {
        let api = FakeAPI(.init(statuses: [Canned.status(state: "pending", progress: "PENDING")],
                                streams: [Canned.event(12, kind: "WAITING", message: "waiting for room")], streamStaysOpen: true))
        // Timed inside: the fake server's shutdown waits for its open stream (10 s).
        let (run, took) = try await api.run { url in
            let started = ContinuousClock.now
            let run = await CLIRun.run(["apply", "-f", "seed.yaml", "--timeout", "1"], apiURL: url, files: files)
            return (run, ContinuousClock.now - started)
        }
        #expect(run.status == 3)
        #expect(run.errors.contains("did not settle within 1 s"))
        #expect(took < .seconds(8), "gave up at its timeout, not when the stream ended")
    }

    @Test func aDocumentWithAnIDReplacesThatSpecAtItsLatestVersion() async throws {
        let api = FakeAPI(.init(
            stored: (.ok, #"{"id":7,"version":3,"created_at":"2026-12-03T01:00:00Z","spec":{}}"#),
            statuses: [Canned.status(state: "applied", version: 2, progress: "APPLIED"),
                       Canned.status(state: "applied", version: 3, progress: "APPLIED")],
            streams: [Canned.settled("applied", version: 3)]))
        let document = "id: 7\ncreated_at: '2026-12-03T01:00:00Z'\nversion: 0\nspec:\n  web:\n    type: resource/vm/kvm\n"
        let run = try await api.run { url in await CLIRun.run(["apply", "-f", "v0.yaml"], apiURL: url, files: ["v0.yaml": document]) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        let put = try #require(api.requests.first { $0.method == "PUT" })
        #expect(put.path == "/api/spec/7")
        #expect(put.body.contains("version: 2"))
        #expect(!put.body.contains("version: 0"))
        #expect(run.output.contains("spec 7 version 3 stored"))
    }

    @Test func apiErrorsArePrintedWithEachProblemAndExitTwo() async throws {
        let api = FakeAPI(.init(
            stored: (.unprocessableContent, #"{"error":"the document is not valid: 2 problem(s)","status":422,"problems":[{"path":"spec.web.vcpus","message":"must be at least 1"},{"path":"spec.disk.size","message":"unknown unit 'zb'"}]}"#),
            statuses: [], streams: nil))
        let run = try await api.run { url in await CLIRun.run(["apply", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(run.status == 2)
        #expect(run.errors.contains("POST /api/spec: 422: the document is not valid: 2 problem(s)\n  spec.web.vcpus: must be at least 1\n  spec.disk.size: unknown unit 'zb'"))
    }

    @Test func usageErrorsExitTwoAndHelpZero() async throws {
        let missing = await CLIRun.run(["apply"], apiURL: "http://127.0.0.1:1")
        #expect(missing.status == 2)
        #expect(missing.errors.contains("-f"))
        let noFile = await CLIRun.run(["apply", "-f", "nope.yaml"], apiURL: "http://127.0.0.1:1")
        #expect(noFile.status == 2)
        #expect(noFile.errors.contains("the file nope.yaml does not exist"))
        let help = await CLIRun.run(["--help"], apiURL: "http://127.0.0.1:1")
        #expect(help.status == 0)
        #expect(help.output.contains("apply"))
        let commandHelp = await CLIRun.run(["list", "--help"], apiURL: "http://127.0.0.1:1")
        #expect(commandHelp.status == 0)
        #expect(commandHelp.output.contains("--state"))
        let nothing = await CLIRun.run([], apiURL: "http://127.0.0.1:1")
        #expect(nothing.status == 2)
        #expect(nothing.errors.contains("SUBCOMMANDS"))
        let started = ContinuousClock.now
        let unreachable = await CLIRun.run(["list"], apiURL: "http://127.0.0.1:1")
        #expect(ContinuousClock.now - started < .seconds(15))
        #expect(unreachable.status == 2)
        #expect(unreachable.errors.contains("cannot reach the API at http://127.0.0.1:1"))
    }

    @Test func planPrintsEachObjectsActionAndPlacementAndJSONAsTheAPIAnswered() async throws {
        let api = FakeAPI(.init(statuses: [], streams: nil, plan: (.ok, Canned.planOfAPost)))
        let run = try await api.run { url in await CLIRun.run(["plan", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output == """
            ACTION  NAME     TYPE                  CHANGED  PLACEMENT
            create  disk     resource/volume/file  -        agent 0475e57d-d2e4-4303-8acd-a833fe13afc0 on host 99566e90-d7d8-4765-8d70-17546c7ed11b
            create  scratch  resource/volume/file  -        agent 0475e57d-d2e4-4303-8acd-a833fe13afc0 on host 99566e90-d7d8-4765-8d70-17546c7ed11b

            plan for a new spec (version 0): 2 to create, 0 to change, 0 to delete, 0 unchanged
            placement: placed (every object the version sends would go where shown)

            """)
        let post = try #require(api.requests.first)
        #expect(post.method == "POST" && post.path == "/api/spec" && post.query == "dry_run=true")
        #expect(post.body == Canned.document)

        // For scripts, the answer itself: absent keys stay absent.
        let json = try await api.run { url in await CLIRun.run(["plan", "-f", "seed.yaml", "-o", "json"], apiURL: url, files: files) }
        #expect(json.status == 0, "stderr: \(json.errors)")
        let printed = try JSONDecoder().decode(JSONValue.self, from: Data(json.output.utf8))
        #expect(printed == (try JSONDecoder().decode(JSONValue.self, from: Data(Canned.planOfAPost.utf8))))
        #expect(printed["spec_id"] == nil)
    }

    @Test func planOfAReplacementSaysWhatCannotBePlacedAndWhy() async throws {
        let api = FakeAPI(.init(statuses: [Canned.status(state: "applied", version: 0, progress: "APPLIED")], streams: nil,
                                plan: (.ok, Canned.planOfAnImpossiblePut)))
        let run = try await api.run { url in await CLIRun.run(["plan", "-f", "seed.yaml", "--spec", "1"], apiURL: url, files: files) }
        #expect(run.status == 0, "a plan was made: \(run.errors)")
        let cannot = "not scheduled because other objects of this spec cannot be placed: "
        let noRoom = "no alive agent/volumer/file with 200gb disk free; the one with the most free has 80gb disk free"
        #expect(run.output == """
            ACTION  NAME     TYPE                  CHANGED  PLACEMENT
            change  disk     resource/volume/file  size     \(cannot)\(noRoom)
            create  logs     resource/volume/file  -        \(noRoom)
            delete  scratch  resource/volume/file  -        \(cannot)\(noRoom)

            plan for spec 1 version 1: 1 to create, 1 to change, 1 to delete, 0 unchanged
            placement: impossible (the version would fail): \(noRoom)

            """)
        #expect(api.requests.map { "\($0.method) \($0.path)?\($0.query)" } == ["GET /api/spec/1?", "PUT /api/spec/1?dry_run=true"])
    }

    @Test func planOnAnOlderAPISaysSo() async throws {
        let refused = FakeAPI(.init(statuses: [], streams: nil,
                                    plan: (.badRequest, #"{"error":"unknown query parameter 'dry_run'; this route takes ","status":400}"#)))
        let run = try await refused.run { url in await CLIRun.run(["plan", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(run.status == 2)
        #expect(run.errors.contains("this API does not support plans"))
        // One that ignores the parameter and stores the document.
        let ignored = FakeAPI(.init(statuses: [], streams: nil))
        let stored = try await ignored.run { url in await CLIRun.run(["plan", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(stored.status == 2)
        #expect(stored.errors.contains("this API does not support plans: it ignored dry_run and stored the document as spec 7 version 0"))
    }

    @Test func listFollowsCursorsUpToTheLimit() async throws {
        let api = FakeAPI(.init(statuses: [], streams: nil))
        let run = try await api.run { url in await CLIRun.run(["list", "--limit", "3", "--state", "applied"], apiURL: url) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output == """
            ID  VERSION  STATE    OBJECTS    CREATED
            5   0        applied  2 APPLIED  2026-12-03T01:00:05Z
            4   0        applied  2 APPLIED  2026-12-03T01:00:04Z
            3   0        applied  2 APPLIED  2026-12-03T01:00:03Z

            """)
        #expect(api.requests.map(\.query) == ["limit=3&state=applied", "limit=1&state=applied&cursor=s4"])
        // Every page, joined, for scripts; `next` says where the listing stopped.
        let json = try await api.run { url in await CLIRun.run(["list", "-o", "json"], apiURL: url) }
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.output.utf8))
        #expect(value["specs"]?.arrayValue?.count == 5)
        #expect(value["next"] == nil)
    }

    @Test func eventsFollowPrintsEachEventUntilSettled() async throws {
        let api = FakeAPI(.init(statuses: [], streams: [Canned.event(12, kind: "APPLIED", message: "applied on agent a1") + Canned.settled("applied")]))
        let run = try await api.run { url in await CLIRun.run(["events", "7", "--follow"], apiURL: url) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output == "2026-12-03T01:00:02Z  v0  web  APPLIED  applied on agent a1\nspec 7 version 0 settled: applied\n")
        let json = try await api.run { url in await CLIRun.run(["events", "7", "--follow", "-o", "json"], apiURL: url) }
        let lines = json.output.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains(#""kind":"APPLIED""#) == true)
        #expect(lines.last == #"{"spec_id":7,"state":"applied","version":0}"#)
    }

    @Test func eventsReadsEveryPageOfTheLog() async throws {
        let api = FakeAPI(.init(statuses: [], streams: nil, logPages: ["": Canned.logPage1, "after=2": Canned.logPage2]))
        let run = try await api.run { url in await CLIRun.run(["events", "7"], apiURL: url) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output == """
            spec 7: applied

            ID  TIME                  VERSION  OBJECT  KIND       MESSAGE
            1   2026-12-03T01:00:00Z  0        -       ACCEPTED   version 0 accepted with 1 objects
            2   2026-12-03T01:00:01Z  0        web     SCHEDULED  scheduled on agent a1
            3   -                     0        u-gone  APPLIED    applied on agent a1

            """)
        #expect(api.requests.map(\.query) == ["", "after=2"])
        #expect(api.requests.allSatisfy { $0.accept == "application/json" })
        // The pages joined into one answer, without `next`.
        let json = try await api.run { url in await CLIRun.run(["events", "7", "-o", "json"], apiURL: url) }
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(json.output.utf8))
        #expect(value["events"]?.arrayValue?.count == 3)
        #expect(value["state"] == .string("applied"))
        #expect(value["next"] == nil)
        #expect(value["events"]?.arrayValue?.last == (try JSONDecoder().decode(JSONValue.self, from: Data(Canned.logItem3.utf8))))
    }

    @Test func theStreamAsTheAPIWritesItIsFollowed() async throws {
        // The opening comment, an event about the whole spec (no object keys), keep-alives, then
        // `settled` without a reason, in a stream that asked for it with Accept.
        let api = FakeAPI(.init(statuses: [], streams: [
            Canned.streamOpening + Canned.event(11, object: nil, kind: "ACCEPTED", message: "version 0 accepted with 1 objects") + ": keep-alive\n\n"
                + Canned.event(12, kind: "APPLIED", message: "applied on agent a1") + Canned.settled("applied"),
        ]))
        let run = try await api.run { url in await CLIRun.run(["events", "7", "--follow"], apiURL: url) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output == """
            2026-12-03T01:00:01Z  v0  -  ACCEPTED  version 0 accepted with 1 objects
            2026-12-03T01:00:02Z  v0  web  APPLIED  applied on agent a1
            spec 7 version 0 settled: applied

            """)
        #expect(api.requests.first?.accept == "text/event-stream")
        // Each item printed with the keys the API sent, and none it left out.
        let json = try await api.run { url in await CLIRun.run(["events", "7", "--follow", "-o", "json"], apiURL: url) }
        #expect(json.output.split(separator: "\n").first
            == #"{"created_at":"2026-12-03T01:00:01Z","id":11,"kind":"ACCEPTED","message":"version 0 accepted with 1 objects","spec_id":7,"version":0}"#)
    }

    @Test func anInstanceThatDoesNotStreamIsPolledAndEventsFollowSaysSo() async throws {
        let refusal = #"{"error":"this API instance does not stream events; read the log without Accept: text/event-stream","status":503}"#
        let api = FakeAPI(.init(
            statuses: [Canned.status(state: "pending", progress: "PENDING"),
                       Canned.status(state: "applied", progress: "APPLIED", message: "applied on agent a1", agent: "a1")],
            streams: [], streamRefused: (.serviceUnavailable, refusal)))
        let run = try await api.run { url in await CLIRun.run(["apply", "-f", "seed.yaml"], apiURL: url, files: files) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        #expect(run.output.hasSuffix("spec 7 version 0: applied\n"))
        let follow = try await api.run { url in await CLIRun.run(["events", "7", "--follow"], apiURL: url) }
        #expect(follow.status == 2)
        #expect(follow.errors.contains("this API does not stream events (/api/spec/7/events answered 503: this API instance does not stream events"))
    }

    @Test func optionsMayComeBeforeOrAfterTheCommand() async throws {
        let api = FakeAPI(.init(statuses: [], streams: nil))
        try await api.run { url in
            // The environment names an API nobody listens on: only the flag finds the fake.
            for arguments in [["--api-url", url, "-o", "json", "list", "--limit", "1"],
                              ["list", "--limit", "1", "--output", "json", "--api-url", url],
                              ["--output=json", "list", "--api-url=\(url)", "--limit=1"]] {
                let run = await CLIRun.run(arguments, apiURL: "http://127.0.0.1:1")
                #expect(run.status == 0, "\(arguments): \(run.errors)")
                let value = try JSONDecoder().decode(JSONValue.self, from: Data(run.output.utf8))
                #expect(value["specs"]?.arrayValue?.count == 1, "\(arguments)")
            }
        }
    }

    @Test func drainSendsTheReasonAndListsWhatStaysPinned() async throws {
        let api = FakeAPI(.init(statuses: []))
        let run = try await api.run { url in await CLIRun.run(["drain", "h1", "--reason", "kernel update"], apiURL: url, files: [:]) }
        #expect(run.status == 0, "stderr: \(run.errors)")
        let request = try #require(api.requests.first)
        #expect(request.method == "PUT" && request.path == "/api/hosts/h1/drain")
        #expect(request.query == "reason=kernel%20update")
        #expect(run.output.hasPrefix("host h1: draining since 2026-12-03T08:00:00Z: kernel update\nstill here"))
        #expect(run.output.contains("7     web   resource/vm/kvm  o1"))
    }
}
