import Foundation
import Testing
@testable import Messages

/// `Request.copy_from`: the scheduler's note that a moved volume is copied from another volumer.
@Suite struct VolumeCopySourceTests {
    let source = VolumeCopySource(agentID: ObjectID("2463f81d-20d8-4395-a3c4-84a271a5b3a7")!,
                                  url: "http://192.0.2.10:8476/volumes/8bce7696-f641-411c-a0ce-6ed066d912a3")
    var request: RequestMessage {
        RequestMessage(specID: 7, object: Object(type: .volumeFile, id: ObjectID("8bce7696-f641-411c-a0ce-6ed066d912a3")!,
                                                 desiredState: "allocated", size: Size(1, .gb)),
                       attempt: 2, copyFrom: source)
    }

    @Test func roundTripsInEveryFormat() throws {
        let json = MessageCodec.encodeString(request, format: .json)
        #expect(json.contains(#""copy_from":{"agent_id":"2463f81d-20d8-4395-a3c4-84a271a5b3a7","url":"http:\/\/192.0.2.10:8476/volumes/"#)
            || json.contains(#""copy_from":{"agent_id":"2463f81d-20d8-4395-a3c4-84a271a5b3a7","url":"http://192.0.2.10:8476/volumes/"#))
        for format in WireFormat.allCases {
            let data = MessageCodec.encode(request, format: format)
            let decoded = try MessageCodec.decode(RequestMessage.self, from: data, format: format)
            #expect(decoded == request)
            #expect(decoded.copyFrom == source)
        }
    }

    @Test func absentKeyDecodesAsNilAndIsNotWritten() throws {
        var plain = request
        plain.copyFrom = nil
        let json = MessageCodec.encodeString(plain, format: .json)
        #expect(!json.contains("copy_from"))
        let decoded = try MessageCodec.decode(RequestMessage.self, from: Data(json.utf8), format: .json)
        #expect(decoded.copyFrom == nil)
        #expect(decoded == plain)
    }

    /// Between services unknown keys are ignored, so a newer scheduler's extra field is not fatal.
    @Test func unknownKeysInsideCopyFromAreIgnoredOnTheWire() throws {
        let json = #"{"spec_id":1,"object":{"type":"resource/volume/file","id":"8bce7696-f641-411c-a0ce-6ed066d912a3"},"#
            + #""depended_by":null,"copy_from":{"agent_id":"2463f81d-20d8-4395-a3c4-84a271a5b3a7","url":"http://h:1/volumes/x","#
            + #""checksum":"later"}}"#
        let decoded = try MessageCodec.decodeWire(RequestMessage.self, from: Data(json.utf8))
        #expect(decoded.copyFrom == VolumeCopySource(agentID: source.agentID, url: "http://h:1/volumes/x"))
    }
}
