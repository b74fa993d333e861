import AgentRuntime
import Foundation
import Messages
import Testing
@testable import ComputeKVM

/// Reading a serial log within bounds, on real files.
@Suite struct ConsoleLogFileTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "n0core-console-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func file(_ bytes: [UInt8], name: String = "n0.log") throws -> String {
        let path = "\(directory)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func text(_ excerpt: ConsoleExcerpt?) -> String {
        String(decoding: excerpt?.data ?? [], as: UTF8.self)
    }

    func lines(_ range: ClosedRange<Int>) -> String {
        range.map { "line \($0)\n" }.joined()
    }

    @Test func tailGivesTheLastLines() throws {
        let path = try file(Array(lines(1...150).utf8))
        let tail = try #require(try ConsoleLogFile.read(path: path, range: .tail(lines: 100), maxBytes: 1 << 20))
        #expect(text(tail) == lines(51...150))
        #expect(tail.size == Int64(lines(1...150).utf8.count))
        #expect(tail.end == tail.size)
        #expect(tail.start == Int64(lines(1...50).utf8.count))
        #expect(text(try ConsoleLogFile.read(path: path, range: .tail(lines: 1), maxBytes: 1 << 20)) == "line 150\n")
        #expect(text(try ConsoleLogFile.read(path: path, range: .tail(lines: 10_000), maxBytes: 1 << 20)) == lines(1...150))
    }

    @Test func aLastLineWithoutNewlineCountsAsALine() throws {
        let path = try file(Array("a\nb\nc".utf8))
        #expect(text(try ConsoleLogFile.read(path: path, range: .tail(lines: 2), maxBytes: 100)) == "b\nc")
        #expect(ConsoleLogFile.tailStart(of: Array("\n\n".utf8), lines: 1, cut: false) == 1)
        #expect(ConsoleLogFile.tailStart(of: [], lines: 5, cut: true) == 0)
    }

    @Test func theByteCapLeavesOutACutLineUnlessItIsTheOnlyOne() throws {
        let path = try file(Array(lines(1...150).utf8))
        // "line 150\n" is 9 bytes; 20 bytes reach into "line 149\n" (9) and 2 bytes of "line 148\n".
        let capped = try #require(try ConsoleLogFile.read(path: path, range: .tail(lines: 100), maxBytes: 20))
        #expect(text(capped) == "line 149\nline 150\n")
        #expect(capped.end == capped.size)
        let long = try file([UInt8](repeating: UInt8(ascii: "x"), count: 5000), name: "long.log")
        let cut = try #require(try ConsoleLogFile.read(path: long, range: .tail(lines: 3), maxBytes: 1000))
        #expect(cut.data.count == 1000)
        #expect(cut.start == 4000)
    }

    @Test func anOffsetGivesWhatFollowsItWithinTheCap() throws {
        let path = try file(Array(lines(1...3).utf8))
        let all = try #require(try ConsoleLogFile.read(path: path, range: .from(offset: 0), maxBytes: 1 << 20))
        #expect(text(all) == lines(1...3))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("line 4\n".utf8))
        try handle.close()
        let appended = try #require(try ConsoleLogFile.read(path: path, range: .from(offset: all.end), maxBytes: 1 << 20))
        #expect(text(appended) == "line 4\n")
        #expect(appended.start == all.end)
        let nothing = try #require(try ConsoleLogFile.read(path: path, range: .from(offset: appended.end), maxBytes: 1 << 20))
        #expect(nothing.data.isEmpty && nothing.end == appended.end)
        let capped = try #require(try ConsoleLogFile.read(path: path, range: .from(offset: 2), maxBytes: 3))
        #expect(text(capped) == "ne ")
        #expect(capped.end == 5)
        // Past the end: the log was replaced, so it is read from its start.
        let restarted = try #require(try ConsoleLogFile.read(path: path, range: .from(offset: 10_000), maxBytes: 1 << 20))
        #expect(restarted.start == 0)
        #expect(text(restarted) == lines(1...4))
    }

    @Test func bytesComeAsTheGuestWroteThem() throws {
        let bytes: [UInt8] = [0x1B, 0x5B, 0x32, 0x4A, 0xFF, 0x00, 0x0D, 0x0A, 0xC3, 0x28, 0x0A]
        let path = try file(bytes)
        #expect(try ConsoleLogFile.read(path: path, range: .tail(lines: 10), maxBytes: 100)?.data == bytes)
    }

    @Test func noFileIsNoLogAndNothingButARegularFileIsRead() throws {
        #expect(try ConsoleLogFile.read(path: "\(directory)/missing.log", range: .tail(lines: 1), maxBytes: 10) == nil)
        let target = try file(Array("secret\n".utf8), name: "target")
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/link.log", withDestinationPath: target)
        let link = try #require(throws: AgentFailure.self) {
            try ConsoleLogFile.read(path: "\(directory)/link.log", range: .tail(lines: 1), maxBytes: 10)
        }
        #expect(link.message.contains("symbolic link"))
        try FileManager.default.createDirectory(atPath: "\(directory)/dir.log", withIntermediateDirectories: false)
        let notFile = try #require(throws: AgentFailure.self) {
            try ConsoleLogFile.read(path: "\(directory)/dir.log", range: .tail(lines: 1), maxBytes: 10)
        }
        #expect(notFile.message.contains("not a regular file"))
    }
}
