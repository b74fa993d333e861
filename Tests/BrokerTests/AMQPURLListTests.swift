import Testing

@testable import Broker

@Suite("A list of broker URLs (the nodes of a cluster)")
struct AMQPURLListTests {
    @Test func aSingleURLIsAListOfOne() throws {
        let urls = try AMQPURL.list(parsing: "amqp://n0core:secret@broker.example:5673/n0core")
        #expect(urls == [try AMQPURL(parsing: "amqp://n0core:secret@broker.example:5673/n0core")])
    }

    @Test func splitsAtCommasBeforeAScheme() throws {
        let urls = try AMQPURL.list(parsing: "amqp://u:p@node1:5681/, amqp://u:p@node2:5682/ ,AMQP://u:p@node3")
        #expect(urls.map(\.host) == ["node1", "node2", "node3"])
        #expect(urls.map(\.port) == [5681, 5682, 5672])
        #expect(urls.allSatisfy { $0.user == "u" && $0.password == "p" && $0.vhost == "/" })
    }

    @Test func aCommaInsideAPasswordDoesNotSplit() throws {
        let urls = try AMQPURL.list(parsing: "amqp://u:a,b@node1/,amqp://u:a,b@node2/")
        #expect(urls.map(\.host) == ["node1", "node2"])
        #expect(urls.allSatisfy { $0.password == "a,b" })
    }

    @Test(arguments: [
        "amqp://u:p@node1/,amqps://u:p@node2/",
        "amqp://u:p@node1/,amqp://v:p@node2/",
        "amqp://u:p@node1/,amqp://u:q@node2/",
        "amqp://u:p@node1/a,amqp://u:p@node2/b",
    ])
    func nodesMustShareSchemeCredentialsAndVhost(text: String) {
        #expect(throws: BrokerError.self) { try AMQPURL.list(parsing: text) }
    }

    @Test func refusesANodeListedTwice() {
        #expect(throws: BrokerError.self) { try AMQPURL.list(parsing: "amqp://node1:5681,amqp://node1:5681/") }
    }

    @Test func namesTheBadURLWithoutItsPassword() {
        #expect {
            try AMQPURL.list(parsing: "amqp://u:hunter2@node1/,amqp://u:hunter2@node2:99999/")
        } throws: { error in
            let text = "\(error)"
            return text.contains("URL 2 of 2") && !text.contains("hunter2")
        }
    }
}
