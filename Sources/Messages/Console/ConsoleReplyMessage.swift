import Foundation

/// Compute agent → the API instance that asked (its reply key): the piece of the serial log, or
/// why there is none.
///
/// The log is carried as base64 chunks of at most ``ConsoleLimits/chunkBytes``: the guest may
/// have written any bytes (JSON strings hold only Unicode), and a message's scalars are bounded.
public struct ConsoleReplyMessage: WireMessage, Hashable {
    public static let messageType = MessageType.consoleReply

    public enum Outcome: String, Codable, CaseIterable, Sendable, Hashable {
        /// `excerpt` holds what was read.
        case ok
        /// This host has no serial log for the VM: never started here, or deleted.
        case noLog = "no_log"
        /// The agent does not serve consoles (not a compute agent).
        case unsupported
        /// The log could not be read; `message` says why.
        case failed
    }

    public var requestID: UUID
    public var vmID: ObjectID
    public var agentID: ObjectID
    public var outcome: Outcome
    /// Set unless ``outcome`` is ``Outcome/ok``: a sentence for the user.
    public var message: String?
    /// Set when ``outcome`` is ``Outcome/ok``.
    public var excerpt: ConsoleExcerpt?

    public init(requestID: UUID, vmID: ObjectID, agentID: ObjectID, outcome: Outcome, message: String? = nil,
                excerpt: ConsoleExcerpt? = nil) {
        self.requestID = requestID
        self.vmID = vmID
        self.agentID = agentID
        self.outcome = outcome
        self.message = message
        self.excerpt = excerpt
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case requestID = "request_id"
        case vmID = "vm_id"
        case agentID = "agent_id"
        case outcome, message, start, size, data
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try container.decode(UUID.self, forKey: .requestID)
        vmID = try container.decode(ObjectID.self, forKey: .vmID)
        agentID = try container.decode(ObjectID.self, forKey: .agentID)
        outcome = try container.decode(Outcome.self, forKey: .outcome)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        guard outcome == .ok else { return }
        let start = try container.decode(Int64.self, forKey: .start)
        let size = try container.decode(Int64.self, forKey: .size)
        let chunks = try container.decode([String].self, forKey: .data)
        var data: [UInt8] = []
        for (index, chunk) in chunks.enumerated() {
            guard let bytes = Data(base64Encoded: chunk), bytes.count <= ConsoleLimits.chunkBytes else {
                throw DocumentError(problems: [FieldProblem(
                    codingPath: decoder.codingPath + [CodingKeys.data],
                    message: "chunk \(index) is not base64 of at most \(ConsoleLimits.chunkBytes) bytes")])
            }
            data += bytes
        }
        guard start >= 0, size >= 0, data.count <= ConsoleLimits.bytes.upperBound else {
            throw DocumentError(problems: [FieldProblem(
                codingPath: decoder.codingPath + [CodingKeys.data],
                message: "an excerpt has a start and size of 0 or more and at most \(ConsoleLimits.bytes.upperBound) bytes")])
        }
        excerpt = ConsoleExcerpt(data: data, start: start, size: size)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requestID, forKey: .requestID)
        try container.encode(vmID, forKey: .vmID)
        try container.encode(agentID, forKey: .agentID)
        try container.encode(outcome, forKey: .outcome)
        try container.encodeIfPresent(message, forKey: .message)
        guard let excerpt else { return }
        try container.encode(excerpt.start, forKey: .start)
        try container.encode(excerpt.size, forKey: .size)
        let chunks = stride(from: 0, to: excerpt.data.count, by: ConsoleLimits.chunkBytes).map { offset in
            Data(excerpt.data[offset..<min(offset + ConsoleLimits.chunkBytes, excerpt.data.count)]).base64EncodedString()
        }
        try container.encode(chunks, forKey: .data)
    }
}
