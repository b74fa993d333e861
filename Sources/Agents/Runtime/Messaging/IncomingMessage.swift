import Foundation
import MessageHandling
import Messages

/// What arrived on an agent's queue, decided from the AMQP `type` and the body alone.
///
/// A queue carries `Request`s (work) and `Notify`s (other agents' results). A `Request` whose
/// body does not decode is still answered when it names its spec and object (a `size: 4zb`
/// fails the whole message, yet the spec author must hear about it): ``refusedRequest(_:)``.
/// Only what cannot even be named goes to the dead-letter queue.
enum IncomingMessage: Sendable, Hashable {
    case request(RequestMessage)
    case notify(NotifyMessage)
    case refusedRequest(RefusedRequest)
    /// The API asks for a piece of a VM's serial log.
    case consoleRequest(ConsoleRequestMessage)
    case deadLetter(reason: String)

    static func classify(_ envelope: Envelope) -> IncomingMessage {
        let type = envelope.properties.type
        let body = envelope.data
        guard let type, let messageType = MessageType(rawValue: type) else {
            return .deadLetter(reason: "unknown message type '\(type ?? "")'; an agent's queue carries Request, Notify and ConsoleRequest")
        }
        switch messageType {
        case .request:
            do {
                return .request(try MessageCodec.decodeWire(RequestMessage.self, from: body))
            } catch {
                // A body past the message limits is not read any further, not even for its ids.
                guard error.exceeded == nil, let refused = RefusedRequest(body: body, problem: error) else {
                    return .deadLetter(reason: MessageRejection.undecodable("Request", error).reason)
                }
                return .refusedRequest(refused)
            }
        case .notify:
            do {
                return .notify(try MessageCodec.decodeWire(NotifyMessage.self, from: body))
            } catch {
                return .deadLetter(reason: MessageRejection.undecodable("Notify", error).reason)
            }
        case .consoleRequest:
            do {
                return .consoleRequest(try envelope.decode(ConsoleRequestMessage.self))
            } catch {
                return .deadLetter(reason: error.reason)
            }
        case .spec, .heartbeat, .consoleReply:
            return .deadLetter(reason: "a \(type) message does not belong on an agent's queue; it carries Request, Notify and ConsoleRequest")
        }
    }
}

/// A `Request` that did not decode, reduced to what can be read from its JSON: enough to
/// answer with an `ERROR` Notify that names the object and the problem.
struct RefusedRequest: Sendable, Hashable {
    var specID: Int64
    /// `type` (when known), `id`, `name` and desired state, as far as they could be read.
    var object: Object
    /// The type text when it is not a known type (so the message can quote it).
    var typeText: String?
    /// The dependents that could be read, to tell their agents too.
    var dependedBy: [Object]
    var attempt: Int?
    var problem: DocumentError

    /// Nil when the body has no integer `spec_id` or no `object.id`: then no one could be told.
    init?(body: Data, problem: DocumentError) {
        guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let specID = (json["spec_id"] as? NSNumber).flatMap({ Int64(exactly: $0.doubleValue) }),
              let object = json["object"] as? [String: Any],
              let id = (object["id"] as? String).flatMap(ObjectID.init)
        else { return nil }
        let typeText = object["type"] as? String
        let type = typeText.flatMap(ObjectType.init(rawValue:))
        var partial = Object(type: type, id: id, name: object["name"] as? String)
        if let type, let state = object[type.desiredStateKey] as? String, type.allowedDesiredStates.contains(state) {
            partial.desiredState = state
        }
        self.specID = specID
        self.object = partial
        self.typeText = type == nil ? typeText : nil
        self.dependedBy = (json["depended_by"] as? [Any] ?? []).compactMap { element in
            guard JSONSerialization.isValidJSONObject(element),
                  let data = try? JSONSerialization.data(withJSONObject: element) else { return nil }
            return try? MessageCodec.decode(Object.self, from: data, format: .json)
        }
        self.attempt = (json["attempt"] as? NSNumber).flatMap { Int(exactly: $0.doubleValue) }
        self.problem = problem
    }
}
