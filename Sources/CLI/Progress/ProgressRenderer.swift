import Foundation

/// One object's line while a spec is followed: `web  resource/vm/kvm  APPLIED  on agent …`.
public struct ObjectProgressLine: Sendable, Equatable {
    public var name: String
    public var type: String
    public var progress: String
    /// The latest message (why it waits or failed, where it was scheduled), else its agent.
    public var detail: String
    /// Which object the line is about: names repeat (an object being deleted and the one that
    /// replaces it), ids do not. Nil for a line known only by its name.
    public var objectID: String?

    public init(name: String, type: String, progress: String, detail: String, objectID: String? = nil) {
        self.name = name
        self.type = type
        self.progress = progress
        self.detail = detail
        self.objectID = objectID
    }

    var key: String { objectID ?? name }
}

/// Draws the objects' progress lines. On a terminal (``Mode/live``) the block of lines is
/// redrawn in place: the cursor moves up over the lines drawn last time and each is rewritten.
/// Anywhere else (``Mode/plain``: a pipe, a file, `TERM=dumb`) a line is appended only when an
/// object's progress or detail changed, so logs read as a history.
public final class ProgressRenderer: @unchecked Sendable {
    public enum Mode: Sendable {
        /// Rewrite in place with ANSI escapes; lines are cut to `width` columns so none wraps
        /// (a wrapped line would break the count of lines to move up).
        case live(width: Int)
        case plain
    }

    private let mode: Mode
    private let write: @Sendable (String) -> Void
    private var drawnLineCount = 0
    private var lastShown: [String: ObjectProgressLine] = [:]
    /// Column widths only grow, so appended lines stay aligned with those printed before.
    private var widths = ColumnWidths()
    private let lock = NSLock()

    public init(mode: Mode, write: @escaping @Sendable (String) -> Void) {
        self.mode = mode
        self.write = write
    }

    /// `.live` when stdout is a terminal and `TERM` is not `dumb`.
    public static func mode(isTerminal: Bool, environment: [String: String], width: Int?) -> Mode {
        guard isTerminal, environment["TERM"] != "dumb" else { return .plain }
        return .live(width: width ?? 80)
    }

    public func show(_ lines: [ObjectProgressLine]) {
        lock.lock()
        defer { lock.unlock() }
        widths.fit(lines)
        let text = Self.format(lines, widths)
        switch mode {
        case .live(let width):
            var output = drawnLineCount > 0 ? "\u{1B}[\(drawnLineCount)A" : ""
            for line in text {
                output += "\r\u{1B}[2K" + String(line.prefix(max(width - 1, 1))) + "\n"
            }
            // Fewer lines than last time (cannot happen while following, but keep the screen true).
            if text.count < drawnLineCount { output += "\u{1B}[J" }
            drawnLineCount = text.count
            write(output)
        case .plain:
            var output = ""
            for (line, rendered) in zip(lines, text) where lastShown[line.key] != line {
                lastShown[line.key] = line
                output += rendered + "\n"
            }
            if !output.isEmpty { write(output) }
        }
    }

    struct ColumnWidths {
        var name = 0
        var type = 0
        var progress = 0

        mutating func fit(_ lines: [ObjectProgressLine]) {
            for line in lines {
                name = max(name, line.name.count)
                type = max(type, line.type.count)
                progress = max(progress, line.progress.count)
            }
        }
    }

    /// Columns aligned to `widths`, without trailing blanks.
    static func format(_ lines: [ObjectProgressLine], _ widths: ColumnWidths) -> [String] {
        lines.map { line in
            let columns = [
                line.name.padding(toLength: widths.name, withPad: " ", startingAt: 0),
                line.type.padding(toLength: widths.type, withPad: " ", startingAt: 0),
                line.progress.padding(toLength: widths.progress, withPad: " ", startingAt: 0),
                line.detail,
            ]
            var text = columns.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
    }
}
