import CRabbitMQ
import Foundation

/// A value of an AMQP field table, as far as n0core writes them (queue arguments, headers,
/// client properties).
enum FieldValue: Sendable {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case table([(String, FieldValue)])
}

/// C memory for the duration of one rabbitmq-c call.
///
/// rabbitmq-c takes strings and tables as raw pointers it does not own; Swift strings have no
/// stable address. The arena copies them into malloc'd memory and frees all of it at once when
/// the call is done (see ``withCArena(_:)``).
final class CArena {
    private var allocations: [(pointer: UnsafeMutableRawPointer, size: Int)] = []

    fileprivate init() {}

    /// Zeroes before freeing: the login response holds the password, which should not linger
    /// in freed heap memory.
    fileprivate func releaseAll() {
        for (pointer, size) in allocations {
            memset(pointer, 0, size)
            free(pointer)
        }
        allocations.removeAll()
    }

    func bytes(_ text: String) -> amqp_bytes_t {
        bytes(Array(text.utf8))
    }

    func bytes(_ content: [UInt8]) -> amqp_bytes_t {
        let size = max(content.count, 1)
        guard let pointer = malloc(size) else { fatalError("out of memory") }
        allocations.append((pointer, size))
        content.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
        return amqp_bytes_t(len: content.count, bytes: pointer)
    }

    func table(_ entries: [(String, FieldValue)]) -> amqp_table_t {
        guard !entries.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let size = MemoryLayout<amqp_table_entry_t>.stride * entries.count
        guard let raw = malloc(size) else { fatalError("out of memory") }
        allocations.append((raw, size))
        let pointer = raw.bindMemory(to: amqp_table_entry_t.self, capacity: entries.count)
        for (index, (key, value)) in entries.enumerated() {
            (pointer + index).initialize(to: amqp_table_entry_t(key: bytes(key), value: field(value)))
        }
        return amqp_table_t(num_entries: Int32(entries.count), entries: pointer)
    }

    func table(_ headers: [String: String]) -> amqp_table_t {
        table(headers.sorted { $0.key < $1.key }.map { ($0.key, FieldValue.string($0.value)) })
    }

    private func field(_ value: FieldValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        switch value {
        case .string(let text):
            field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
            field.value.bytes = bytes(text)
        case .int(let number):
            field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
            field.value.i64 = number
        case .bool(let flag):
            field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
            field.value.boolean = flag ? 1 : 0
        case .table(let entries):
            field.kind = UInt8(AMQP_FIELD_KIND_TABLE.rawValue)
            field.value.table = table(entries)
        }
        return field
    }
}

/// Runs `body` with an arena whose memory lives exactly as long as the call.
func withCArena<Result>(_ body: (CArena) throws -> Result) rethrows -> Result {
    let arena = CArena()
    defer { arena.releaseAll() }
    return try body(arena)
}

extension amqp_bytes_t {
    /// The bytes as UTF-8 text (invalid sequences repaired), `""` when empty.
    var string: String {
        guard let bytes, len > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }

    var array: [UInt8] {
        guard let bytes, len > 0 else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: bytes, count: len))
    }
}

extension amqp_table_t {
    /// Entries whose values read naturally as text; nested tables and arrays are skipped.
    var stringEntries: [String: String] {
        guard let entries, num_entries > 0 else { return [:] }
        var result: [String: String] = [:]
        for index in 0..<Int(num_entries) {
            let entry = entries[index]
            if let text = entry.value.text { result[entry.key.string] = text }
        }
        return result
    }
}

extension amqp_field_value_t {
    fileprivate var text: String? {
        switch UInt32(kind) {
        case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue: value.bytes.string
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: value.boolean != 0 ? "true" : "false"
        case AMQP_FIELD_KIND_I8.rawValue: String(value.i8)
        case AMQP_FIELD_KIND_U8.rawValue: String(value.u8)
        case AMQP_FIELD_KIND_I16.rawValue: String(value.i16)
        case AMQP_FIELD_KIND_U16.rawValue: String(value.u16)
        case AMQP_FIELD_KIND_I32.rawValue: String(value.i32)
        case AMQP_FIELD_KIND_U32.rawValue: String(value.u32)
        case AMQP_FIELD_KIND_I64.rawValue: String(value.i64)
        case AMQP_FIELD_KIND_U64.rawValue, AMQP_FIELD_KIND_TIMESTAMP.rawValue: String(value.u64)
        case AMQP_FIELD_KIND_F32.rawValue: String(value.f32)
        case AMQP_FIELD_KIND_F64.rawValue: String(value.f64)
        default: nil
        }
    }
}

extension amqp_basic_properties_t {
    private func has(_ flag: Int32) -> Bool { _flags & amqp_flags_t(flag) != 0 }

    /// The properties n0core reads, copied out of rabbitmq-c's memory.
    var messageProperties: MessageProperties {
        MessageProperties(
            type: has(AMQP_BASIC_TYPE_FLAG) ? type.string : nil,
            messageID: has(AMQP_BASIC_MESSAGE_ID_FLAG) ? message_id.string : nil,
            correlationID: has(AMQP_BASIC_CORRELATION_ID_FLAG) ? correlation_id.string : nil,
            appID: has(AMQP_BASIC_APP_ID_FLAG) ? app_id.string : nil,
            userID: has(AMQP_BASIC_USER_ID_FLAG) ? user_id.string : nil,
            contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? content_type.string : nil,
            timestamp: has(AMQP_BASIC_TIMESTAMP_FLAG) ? Date(timeIntervalSince1970: Double(timestamp)) : nil,
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? headers.stringEntries : [:]
        )
    }
}
