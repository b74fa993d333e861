/// One event of a `text/event-stream`, as the WHATWG HTML standard's "dispatch the event" step
/// gives it: its type (`message` when the stream named none), its data lines joined with `\n`,
/// and the last event id seen so far in the stream.
public struct ServerSentEvent: Sendable, Equatable {
    public var type: String
    public var data: String
    public var lastEventID: String?

    public init(type: String, data: String, lastEventID: String?) {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }
}

/// Parses a `text/event-stream` fed in chunks of any size: lines end with CRLF, LF or CR (a CRLF
/// split between chunks counts once), `:` starts a comment (keep-alives), fields are `event`,
/// `data` (several lines join), `id` and `retry`; a blank line dispatches the event. Bytes are
/// kept until their line ends, so a chunk may cut a UTF-8 character or a line anywhere.
public struct ServerSentEventParser: Sendable {
    /// The `id` to send back as `Last-Event-ID` when reconnecting; it outlives the event it came with.
    public private(set) var lastEventID: String?
    /// The server's `retry:` in milliseconds, if it sent one.
    public private(set) var retryMilliseconds: Int?

    private var line: [UInt8] = []
    private var afterCarriageReturn = false
    private var atStreamStart = true
    private var eventType = ""
    private var dataLines: [String] = []

    public init(lastEventID: String? = nil) {
        self.lastEventID = lastEventID
    }

    /// The events completed by these bytes, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if afterCarriageReturn {
                    afterCarriageReturn = false
                } else if let event = endLine() {
                    events.append(event)
                }
            case UInt8(ascii: "\r"):
                afterCarriageReturn = true
                if let event = endLine() { events.append(event) }
            default:
                afterCarriageReturn = false
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        var text = String(decoding: line, as: UTF8.self)
        line.removeAll(keepingCapacity: true)
        if atStreamStart {
            atStreamStart = false
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        }
        if text.isEmpty { return dispatch() }
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "event": eventType = String(value)
        case "data": dataLines.append(String(value))
        case "id" where !value.contains("\u{0}"): lastEventID = String(value)
        case "retry" where !value.isEmpty && value.allSatisfy(\.isASCIIDigit): retryMilliseconds = Int(value)
        default: break  // unknown fields are ignored, as the standard says
        }
        return nil
    }

    /// A blank line: the event so far, unless it has no data (then it is dropped, as the standard says).
    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventType = ""
            dataLines = []
        }
        guard !dataLines.isEmpty else { return nil }
        return ServerSentEvent(type: eventType.isEmpty ? "message" : eventType,
                               data: dataLines.joined(separator: "\n"), lastEventID: lastEventID)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
