import Foundation
import Messages
import NIOCore

/// One message of a `text/event-stream` answer (the WHATWG Server-Sent Events format).
struct ServerSentEvent {
    var id: String?
    var event: String?
    /// One JSON line: JSON escapes newlines, so `data` never needs splitting.
    var data: String

    init<T: Encodable>(id: String? = nil, event: String, json value: T) {
        self.id = id
        self.event = event
        data = MessageCodec.encodeString(value, format: .json)
    }

    var bytes: ByteBuffer {
        var text = ""
        if let id { text += "id: \(id)\n" }
        if let event { text += "event: \(event)\n" }
        text += "data: \(data)\n\n"
        return ByteBuffer(string: text)
    }

    /// A comment line, which clients ignore: it keeps an idle stream visibly alive.
    static func comment(_ text: String) -> ByteBuffer { ByteBuffer(string: ": \(text)\n\n") }
}
