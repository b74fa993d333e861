import Foundation
import Testing
@testable import Messages

@Suite struct ConsoleMessageTests {
    let vmID = ObjectID("2463f81d-20d8-4395-a3c4-84a271a5b3a7")!
    let agentID = ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!
    let requestID = UUID(uuidString: "11111111-2222-4333-8444-555555555555")!
    let expires = Date(timeIntervalSince1970: 1_700_000_000)

    func request(_ range: ConsoleRange) -> ConsoleRequestMessage {
        ConsoleRequestMessage(requestID: requestID, vmID: vmID, replyTo: "api.reply.aaaaaaaa-0000-4000-8000-000000000000",
                              expiresAt: expires, range: range, maxBytes: 4096)
    }

    @Test func requestsRoundTripWithLinesOrOffset() throws {
        for range in [ConsoleRange.tail(lines: 100), .from(offset: 0), .from(offset: 1 << 40)] {
            let body = MessageCodec.encode(request(range), format: .json)
            #expect(try MessageCodec.decodeWire(ConsoleRequestMessage.self, from: body) == request(range))
            #expect(try AnyWireMessage(type: .consoleRequest, body: body) == .consoleRequest(request(range)))
        }
        let json = MessageCodec.encodeString(request(.tail(lines: 7)), format: .json)
        #expect(json == #"{"expires_at":"2023-11-14T22:13:20.000Z","lines":7,"max_bytes":4096,"#
            + #""reply_to":"api.reply.aaaaaaaa-0000-4000-8000-000000000000","#
            + #""request_id":"11111111-2222-4333-8444-555555555555","vm_id":"2463f81d-20d8-4395-a3c4-84a271a5b3a7"}"#)
    }

    @Test func requestBoundsAreCheckedOnDecoding() throws {
        func body(_ extra: String) -> Data {
            Data((#"{"expires_at":"2023-11-14T22:13:20Z","reply_to":"api.reply.x","#
                + #""request_id":"11111111-2222-4333-8444-555555555555","vm_id":"2463f81d-20d8-4395-a3c4-84a271a5b3a7","# + extra).utf8)
        }
        let refused = [
            (#""lines":0,"max_bytes":10}"#, "lines"), (#""lines":10001,"max_bytes":10}"#, "lines"),
            (#""offset":-1,"max_bytes":10}"#, "offset"), (#""lines":5,"max_bytes":0}"#, "max_bytes"),
            (#""lines":5,"max_bytes":1048577}"#, "max_bytes"), (#""lines":5,"offset":3,"max_bytes":10}"#, "lines"),
            (#""max_bytes":10}"#, "lines"),
        ]
        for (extra, field) in refused {
            let error = try #require(throws: DocumentError.self) { try MessageCodec.decodeWire(ConsoleRequestMessage.self, from: body(extra)) }
            #expect(error.problems.contains { $0.path == field }, "\(extra): \(error)")
        }
        // A newer sender's extra key is ignored on the wire.
        let newer = try MessageCodec.decodeWire(ConsoleRequestMessage.self, from: body(#""lines":5,"max_bytes":10,"colour":"red"}"#))
        #expect(newer.range == .tail(lines: 5))
    }

    @Test func replyCarriesAnyBytesInBoundedChunks() throws {
        // Every byte value, and more than one chunk.
        let data = (0..<(ConsoleLimits.chunkBytes * 2 + 17)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let reply = ConsoleReplyMessage(requestID: requestID, vmID: vmID, agentID: agentID, outcome: .ok,
                                        excerpt: ConsoleExcerpt(data: data, start: 5, size: 9_000_000))
        let body = MessageCodec.encode(reply, format: .json)
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let chunks = try #require(json["data"] as? [String])
        #expect(chunks.count == 3)
        #expect(chunks.allSatisfy { $0.utf8.count <= DocumentLimits.message.maxScalarBytes })
        let decoded = try MessageCodec.decodeWire(ConsoleReplyMessage.self, from: body)
        #expect(decoded == reply)
        #expect(decoded.excerpt?.end == 5 + Int64(data.count))

        // The largest excerpt fits the limits every message is checked against.
        let largest = ConsoleReplyMessage(requestID: requestID, vmID: vmID, agentID: agentID, outcome: .ok,
                                          excerpt: ConsoleExcerpt(data: [UInt8](repeating: 0xFF, count: ConsoleLimits.bytes.upperBound), start: 0, size: 1 << 20))
        #expect(try MessageCodec.decodeWire(ConsoleReplyMessage.self, from: MessageCodec.encode(largest, format: .json)) == largest)
    }

    @Test func replyWithoutLogOrWithBadDataIsReadOrRefused() throws {
        let none = ConsoleReplyMessage(requestID: requestID, vmID: vmID, agentID: agentID, outcome: .noLog, message: "never started here")
        #expect(try MessageCodec.decodeWire(ConsoleReplyMessage.self, from: MessageCodec.encode(none, format: .json)) == none)
        let bad = Data(#"{"agent_id":"8bce7696-f641-411c-a0ce-6ed066d912a3","data":["!!"],"outcome":"ok","request_id":"11111111-2222-4333-8444-555555555555","size":1,"start":0,"vm_id":"2463f81d-20d8-4395-a3c4-84a271a5b3a7"}"#.utf8)
        let error = try #require(throws: DocumentError.self) { try MessageCodec.decodeWire(ConsoleReplyMessage.self, from: bad) }
        #expect(error.problems.first?.path == "data")
    }

    @Test func messageTypesOnTheWire() {
        #expect(ConsoleRequestMessage.messageType.rawValue == "ConsoleRequest")
        #expect(ConsoleReplyMessage.messageType.rawValue == "ConsoleReply")
    }
}
