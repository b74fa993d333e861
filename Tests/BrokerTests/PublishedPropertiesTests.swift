import Foundation
import Testing

@testable import Broker

/// What a publisher puts on the wire for a message: the message's own properties, and `user_id`
/// always the publisher's broker user, so the broker can vouch for the sender.
@Suite("Published properties and dead-letter copies")
struct PublishedPropertiesTests {
    let sent = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func everyMessageCarriesThePublishersUserAsUserID() {
        let message = OutgoingMessage(routingKey: "conductor", type: "Heartbeat", body: Array("{}".utf8),
                                      messageID: "m-1", correlationID: "7", headers: ["traceparent": "00-x"])
        let properties = message.publishedProperties(appID: "n0core-compute-kvm", userID: "n0core-hypervisor-h1", now: sent)
        #expect(properties.userID == "n0core-hypervisor-h1")
        #expect(properties.appID == "n0core-compute-kvm")
        #expect(properties.type == "Heartbeat")
        #expect(properties.messageID == "m-1")
        #expect(properties.correlationID == "7")
        #expect(properties.contentType == "application/json")
        #expect(properties.timestamp == sent)
        #expect(properties.headers == ["traceparent": "00-x"])
    }

    @Test func theMessageCannotChooseItsUserIDButKeepsItsOwnSenderNameAndTime() {
        var message = OutgoingMessage(routingKey: "scheduler", type: "", body: [])
        message.appID = "n0core-api"
        message.timestamp = Date(timeIntervalSince1970: 5)
        let properties = message.publishedProperties(appID: "n0core-conductor", userID: "n0core-conductor", now: sent)
        #expect(properties.userID == "n0core-conductor")
        #expect(properties.appID == "n0core-api")
        #expect(properties.timestamp == Date(timeIntervalSince1970: 5))
        #expect(properties.type == nil, "no type property when the message has none")
    }

    @Test func aDeadLetteredCopyGoesThroughTheDeadLetterExchangeNeverTheDefaultOne() {
        let message = OutgoingMessage(routingKey: "scheduler", type: "Spec", body: Array("x".utf8))
        let copy = message.deadLettered(reason: String(repeating: "r", count: 3000))
        #expect(copy.exchange == Topology.deadLetterExchange)
        #expect(copy.exchange != "")
        #expect(copy.routingKey == Topology.deadLetterQueue)
        #expect(copy.headers[Delivery.originalRoutingKeyHeader] == "scheduler")
        #expect(copy.headers[Delivery.deadLetterReasonHeader]?.count == 2000)
        #expect(copy.publishedProperties(appID: "n0core-scheduler", userID: "n0core-scheduler").userID == "n0core-scheduler")
    }
}
