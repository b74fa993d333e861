import Testing
@testable import CLI

@Suite struct ServerSentEventParserTests {
    func parse(_ chunks: [String]) -> ([ServerSentEvent], ServerSentEventParser) {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for chunk in chunks { events += parser.feed(Array(chunk.utf8)) }
        return (events, parser)
    }

    @Test func eventsOfTheContract() {
        let (events, parser) = parse([
            "id: 12\nevent: event\ndata: {\"id\":12}\n\n",
            ": keep-alive\n\n",
            "event: settled\ndata: {\"state\":\"applied\"}\n\n",
        ])
        #expect(events == [
            ServerSentEvent(type: "event", data: "{\"id\":12}", lastEventID: "12"),
            ServerSentEvent(type: "settled", data: "{\"state\":\"applied\"}", lastEventID: "12"),
        ])
        #expect(parser.lastEventID == "12")
    }

    @Test func severalDataLinesJoinWithNewlines() {
        let (events, _) = parse(["data: first\ndata:second\ndata\n\n"])
        #expect(events == [ServerSentEvent(type: "message", data: "first\nsecond\n", lastEventID: nil)])
    }

    @Test func crlfAndCrEndLinesToo() {
        let (crlf, _) = parse(["id: 1\r\nevent: event\r\ndata: a\r\n\r\n"])
        #expect(crlf == [ServerSentEvent(type: "event", data: "a", lastEventID: "1")])
        let (cr, _) = parse(["id: 2\revent: event\rdata: b\r\r"])
        #expect(cr == [ServerSentEvent(type: "event", data: "b", lastEventID: "2")])
    }

    @Test func chunksMayCutLinesCrlfAndCharactersAnywhere() {
        let text = "id: 7\r\nevent: event\r\ndata: caf\u{E9} \u{1F600}\r\n\r\n"
        let bytes = Array(text.utf8)
        // Every split point, one byte at a time included.
        for split in 1..<bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<split]) + parser.feed(bytes[split...])
            #expect(events == [ServerSentEvent(type: "event", data: "caf\u{E9} \u{1F600}", lastEventID: "7")], "split at \(split)")
        }
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in bytes { events += parser.feed([byte]) }
        #expect(events.count == 1)
    }

    @Test func eventWithoutDataIsNotDispatchedButItsIDCounts() {
        let (events, parser) = parse(["id: 5\nevent: event\n\n"])
        #expect(events.isEmpty)
        #expect(parser.lastEventID == "5")
    }

    @Test func retryTakesOnlyDigitsAndUnknownFieldsAreIgnored() {
        let (_, parser) = parse(["retry: 2500\nfoo: bar\n\n", "retry: soon\n\n"])
        #expect(parser.retryMilliseconds == 2500)
        let (events, _) = parse(["foo: bar\ndata: x\n\n"])
        #expect(events == [ServerSentEvent(type: "message", data: "x", lastEventID: nil)])
    }

    @Test func anIncompleteEventAtTheEndIsNotDispatched() {
        let (events, _) = parse(["event: settled\ndata: {}\n"])
        #expect(events.isEmpty)
    }

    @Test func oneLeadingSpaceOfAValueIsDropped() {
        let (events, _) = parse(["data:  two spaces\n\n"])
        #expect(events.first?.data == " two spaces")
    }

    @Test func aByteOrderMarkAtTheStartIsSkipped() {
        let (events, _) = parse(["\u{FEFF}data: x\n\n"])
        #expect(events == [ServerSentEvent(type: "message", data: "x", lastEventID: nil)])
    }
}
