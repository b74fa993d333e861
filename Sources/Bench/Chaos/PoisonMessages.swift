import Broker
import Foundation
import Logging

/// Messages no service can process, for every work queue: bodies that are not JSON, JSON of
/// the wrong shape, truncated JSON, no `type` property, a type no service knows, and a message
/// type that belongs on another queue. None names a spec or an object, so the only right answer
/// is the dead-letter queue (design §4: "a body that cannot be decoded is rejected without
/// requeue into a dead-letter queue `n0core.dead`, with the reason in a header"). Each has its
/// own `message_id`, which is how the checker tells them from valid work in `n0core.dead`.
public enum PoisonMessages {
    /// The sender named in every poison message's `app_id`.
    public static let appID = "n0core-chaos"

    /// One kind of poison: a name for the report, the AMQP type and the body.
    struct Kind {
        var name: String
        var type: String
        var body: [UInt8]
    }

    /// The queue's own message types (the ones its consumer decodes).
    static func types(forQueue queue: String) -> [String] {
        switch queue {
        case "scheduler": ["Spec"]
        case "conductor": ["Notify", "Heartbeat"]
        default: ["Request", "Notify"]
        }
    }

    static func kinds(forQueue queue: String) -> [Kind] {
        var kinds: [Kind] = []
        for type in types(forQueue: queue) {
            kinds.append(Kind(name: "\(type): not JSON", type: type, body: [0xFF, 0xFE, 0x00] + Array("not json".utf8)))
            kinds.append(Kind(name: "\(type): JSON of the wrong shape", type: type, body: Array(#"{"chaos":"poison","n":[1,2,3]}"#.utf8)))
            kinds.append(Kind(name: "\(type): truncated JSON", type: type, body: Array(#"{"spec":[{"type":"resource/vm/kvm","#.utf8)))
        }
        kinds.append(Kind(name: "no type property", type: "", body: Array("{}".utf8)))
        kinds.append(Kind(name: "unknown type", type: "ChaosPoison", body: Array("{}".utf8)))
        // A message type that exists, but not on this queue.
        let foreign = queue == "scheduler" ? "Heartbeat" : "Spec"
        kinds.append(Kind(name: "\(foreign) on the wrong queue", type: foreign, body: Array("{}".utf8)))
        return kinds
    }

    /// The poison messages for `queues`, with fresh message ids.
    public static func messages(forQueues queues: [String]) -> [OutgoingMessage] {
        queues.flatMap { queue in
            kinds(forQueue: queue).map { kind in
                var message = OutgoingMessage(
                    routingKey: queue, type: kind.type, body: kind.body,
                    headers: ["x-n0core-chaos-poison": kind.name])
                message.appID = appID
                return message
            }
        }
    }

    /// Publishes `messages` (confirmed) on a connection of its own; returns the ids published.
    public static func publish(_ messages: [OutgoingMessage], configuration: BrokerConfiguration,
                               logger: Logger) async throws -> [String] {
        let publisher = Publisher(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await publisher.run() }
            defer { group.cancelAll() }
            try await BrokerFloor.waitUntilConnected([publisher])
            var published: [String] = []
            for message in messages {
                try await publisher.publish(message, timeout: .seconds(10))
                published.append(message.messageID)
            }
            return published
        }
    }
}
