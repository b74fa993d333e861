import Foundation

/// API → the compute agent a VM is placed on (its own queue): read a piece of the VM's serial
/// log and answer on `reply_to` (docs/api.md, "Consoles").
///
/// A request the agent takes after `expires_at` is dropped unanswered: nobody waits for it any
/// more (the API answered 504), and an agent that was down must not work through a backlog.
public struct ConsoleRequestMessage: WireMessage, Hashable {
    public static let messageType = MessageType.consoleRequest

    /// Chosen by the API; the reply carries it back.
    public var requestID: UUID
    public var vmID: ObjectID
    /// The routing key of the asking API instance's reply queue, `api.reply.<uuid>`; the agent
    /// answers nowhere else.
    public var replyTo: String
    public var expiresAt: Date
    public var range: ConsoleRange
    /// The most bytes to answer with (``ConsoleLimits/bytes``).
    public var maxBytes: Int

    public init(requestID: UUID = UUID(), vmID: ObjectID, replyTo: String, expiresAt: Date, range: ConsoleRange,
                maxBytes: Int = ConsoleLimits.defaultBytes) {
        self.requestID = requestID
        self.vmID = vmID
        self.replyTo = replyTo
        self.expiresAt = expiresAt
        self.range = range
        self.maxBytes = maxBytes
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case requestID = "request_id"
        case vmID = "vm_id"
        case replyTo = "reply_to"
        case expiresAt = "expires_at"
        case lines, offset
        case maxBytes = "max_bytes"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try container.decode(UUID.self, forKey: .requestID)
        vmID = try container.decode(ObjectID.self, forKey: .vmID)
        replyTo = try container.decode(String.self, forKey: .replyTo)
        expiresAt = try container.decodeTimestamp(forKey: .expiresAt)
        maxBytes = try container.decode(Int.self, forKey: .maxBytes)
        let lines = try container.decodeIfPresent(Int.self, forKey: .lines)
        let offset = try container.decodeIfPresent(Int64.self, forKey: .offset)
        var problems: [FieldProblem] = []
        func problem(_ key: CodingKeys, _ message: String) {
            problems.append(FieldProblem(codingPath: decoder.codingPath + [key], message: message))
        }
        if !ConsoleLimits.bytes.contains(maxBytes) {
            problem(.maxBytes, "\(maxBytes) is out of bounds; expected 1 to \(ConsoleLimits.bytes.upperBound) bytes")
        }
        switch (lines, offset) {
        case (let lines?, nil):
            if !ConsoleLimits.lines.contains(lines) {
                problem(.lines, "\(lines) is out of bounds; expected 1 to \(ConsoleLimits.lines.upperBound) lines")
            }
            range = .tail(lines: lines)
        case (nil, let offset?):
            if offset < 0 { problem(.offset, "\(offset) is out of bounds; expected a byte offset of 0 or more") }
            range = .from(offset: offset)
        default:
            problem(.lines, "a console request has either lines (a tail) or offset (what follows it), not both or neither")
            range = .tail(lines: ConsoleLimits.defaultLines)
        }
        if !problems.isEmpty { throw DocumentError(problems: problems) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requestID, forKey: .requestID)
        try container.encode(vmID, forKey: .vmID)
        try container.encode(replyTo, forKey: .replyTo)
        try container.encodeTimestamp(expiresAt, forKey: .expiresAt)
        try container.encode(maxBytes, forKey: .maxBytes)
        switch range {
        case .tail(let lines): try container.encode(lines, forKey: .lines)
        case .from(let offset): try container.encode(offset, forKey: .offset)
        }
    }
}
