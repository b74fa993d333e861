import Synchronization
import Testing
@testable import CLI

@Suite struct ProgressRendererTests {
    final class Captured: Sendable {
        let writes = Mutex<[String]>([])
        func write(_ text: String) { writes.withLock { $0.append(text) } }
        var all: [String] { writes.withLock { $0 } }
    }

    let pending = [
        ObjectProgressLine(name: "web", type: "resource/vm/kvm", progress: "PENDING", detail: ""),
        ObjectProgressLine(name: "disk", type: "resource/volume/file", progress: "PENDING", detail: ""),
    ]

    @Test func plainAppendsALineOnlyForWhatChanged() {
        let captured = Captured()
        let renderer = ProgressRenderer(mode: .plain, write: captured.write)
        renderer.show(pending)
        var next = pending
        next[1] = ObjectProgressLine(name: "disk", type: "resource/volume/file", progress: "APPLIED", detail: "applied on agent a1")
        renderer.show(next)
        renderer.show(next)
        #expect(captured.all == [
            "web   resource/vm/kvm       PENDING\ndisk  resource/volume/file  PENDING\n",
            "disk  resource/volume/file  APPLIED  applied on agent a1\n",
        ])
        #expect(!captured.all.joined().contains("\u{1B}"))
    }

    @Test func plainTellsObjectsApartByIDNotName() {
        let captured = Captured()
        let renderer = ProgressRenderer(mode: .plain, write: captured.write)
        let lines = [
            ObjectProgressLine(name: "web", type: "resource/vm/kvm", progress: "APPLIED", detail: "removed", objectID: "old"),
            ObjectProgressLine(name: "web", type: "resource/vm/kvm", progress: "PENDING", detail: "", objectID: "new"),
        ]
        renderer.show(lines)
        renderer.show(lines)
        #expect(captured.all.count == 1)
    }

    @Test func liveRedrawsTheBlockInPlace() {
        let captured = Captured()
        let renderer = ProgressRenderer(mode: .live(width: 200), write: captured.write)
        renderer.show(pending)
        var next = pending
        next[0].progress = "APPLIED"
        renderer.show(next)
        let writes = captured.all
        #expect(writes.count == 2)
        #expect(!writes[0].contains("\u{1B}[2A"))
        #expect(writes[1].hasPrefix("\u{1B}[2A"))
        #expect(writes[1].components(separatedBy: "\r\u{1B}[2K").count == 3)
        #expect(writes[1].contains("web   resource/vm/kvm       APPLIED\n"))
    }

    @Test func liveLinesAreCutToTheTerminalWidth() {
        let captured = Captured()
        let renderer = ProgressRenderer(mode: .live(width: 10), write: captured.write)
        renderer.show([ObjectProgressLine(name: "web", type: "resource/vm/kvm", progress: "FAILED", detail: "a long reason")])
        #expect(captured.all == ["\r\u{1B}[2Kweb  reso\n"])
    }

    @Test func liveOnlyOnATerminalThatIsNotDumb() {
        if case .plain = ProgressRenderer.mode(isTerminal: true, environment: ["TERM": "xterm"], width: 120) {
            Issue.record("a terminal should redraw in place")
        }
        if case .live = ProgressRenderer.mode(isTerminal: true, environment: ["TERM": "dumb"], width: 120) {
            Issue.record("TERM=dumb should get plain lines")
        }
        if case .live = ProgressRenderer.mode(isTerminal: false, environment: ["TERM": "xterm"], width: nil) {
            Issue.record("a pipe should get plain lines")
        }
    }

    @Test func eventsMoveObjectsOfTheFollowedVersionOnly() {
        var progress = SpecProgress(version: 1)
        let moved = [
            progress.apply(SpecEvent(id: 1, specID: 1, version: 1, objectID: "u1", objectName: "web", kind: "SCHEDULED", message: "scheduled on a1")),
            progress.apply(SpecEvent(id: 2, specID: 1, version: 0, objectID: "u1", objectName: "web", kind: "FAILED", message: "old")),
            progress.apply(SpecEvent(id: 3, specID: 1, version: 1, kind: "ACCEPTED", message: "the spec's own")),
            progress.apply(SpecEvent(id: 4, specID: 1, version: 1, objectID: "u1", objectName: "web", kind: "ABANDONED", message: "x")),
        ]
        #expect(moved == [true, false, false, false])
        #expect(progress.lines == [ObjectProgressLine(name: "web", type: "", progress: "SCHEDULED", detail: "scheduled on a1", objectID: "u1")])
    }
}
