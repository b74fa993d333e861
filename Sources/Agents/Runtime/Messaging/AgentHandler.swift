import Broker
import Foundation
import MessageHandling
import Messages
import Synchronization
import W3CTraceContext

/// The agent's handler of its own queue (see ``AgentRuntime``): records `Notify`s in line,
/// answers `Request`s concurrently.
///
/// An answer that could not be sent (the broker is away) is kept, so the delivery, paused and
/// handled again, sends the same answer instead of applying the object a second time.
struct AgentHandler: MessageHandler {
    let runtime: AgentRuntime
    let unsent = UnsentAnswers()

    func decode(_ envelope: Envelope) throws(MessageRejection) -> IncomingMessage {
        let incoming = IncomingMessage.classify(envelope)
        if case .deadLetter(let reason) = incoming { throw MessageRejection(reason) }
        return incoming
    }

    func handlesInLine(_ message: IncomingMessage) -> Bool {
        if case .notify = message { return true }
        return false
    }

    func deliveriesEnded() async {
        await runtime.board.stop()
    }

    func handle(_ message: IncomingMessage, context: HandlingContext) async throws -> Disposition {
        let trace = TraceContext(headers: context.properties.headers)?.nextHop()
        let requestID = context.properties.messageID
        switch message {
        case .notify(let notify):
            await runtime.record(notify)
            return .done
        case .deadLetter(let reason):
            return .deadLetter(reason: reason)
        case .consoleRequest(let request):
            return await runtime.answer(request)
        case .refusedRequest(let refused):
            let answer = unsent.take(requestID) ?? .notify(runtime.refusal(refused))
            return await send(answer, dependents: refused.dependedBy, requestID: requestID, trace: trace)
        case .request(let request):
            let answer: AgentRuntime.Answer
            if let kept = unsent.take(requestID) {
                answer = kept
            } else {
                answer = await runtime.process(request)
            }
            return await send(answer, dependents: request.dependedBy, requestID: requestID, trace: trace)
        }
    }

    private func send(
        _ answer: AgentRuntime.Answer, dependents: [Object], requestID: String?, trace: TraceContext?
    ) async -> Disposition {
        switch answer {
        case .abandon:
            return .abandon
        case .deadLetter(let reason):
            return .deadLetter(reason: reason)
        case .refused:
            return .done
        case .notify(let notify):
            do {
                try await runtime.publish(notify, dependents: dependents, requestID: requestID, trace: trace)
                return .done
            } catch {
                unsent.keep(answer, for: requestID)
                return .pause(reason: "cannot send the Notify (\(error)); it is sent again before the request is acknowledged")
            }
        }
    }
}

/// Answers computed but not yet sent, by the request's `message_id`.
final class UnsentAnswers: Sendable {
    private let answers = Mutex<[String: AgentRuntime.Answer]>([:])

    func keep(_ answer: AgentRuntime.Answer, for requestID: String?) {
        guard let requestID else { return }
        answers.withLock { $0[requestID] = answer }
    }

    func take(_ requestID: String?) -> AgentRuntime.Answer? {
        guard let requestID else { return nil }
        return answers.withLock { $0.removeValue(forKey: requestID) }
    }
}
