import Broker
import Clients
import Foundation
import Logging
import Messages
import ServiceSupport
import W3CTraceContext

extension AgentRuntime {
    /// How handling a request ends.
    enum Answer: Sendable {
        /// Tell the conductor and the dependents' agents, then acknowledge.
        case notify(NotifyMessage)
        /// Leave the delivery unacknowledged for redelivery (the agent is stopping).
        case abandon
        case deadLetter(reason: String)
    }

    func handle(_ request: RequestMessage, delivery: Delivery) async {
        guard let slot = inFlight.begin(delivery) else {
            logger.info("a request in progress was redelivered; its handling continues", metadata: [
                "message_id": "\(delivery.properties.messageID ?? "-")",
            ])
            return
        }
        defer { inFlight.end(delivery) }
        let answer = await process(request)
        await settle(slot, answer: answer, dependents: request.dependedBy, trace: Self.trace(of: delivery))
    }

    /// Answers a request that could not be decoded but names its spec and object.
    func refuse(_ refused: RefusedRequest, delivery: Delivery) async {
        let what = refused.typeText.map { " (type '\($0)')" } ?? ""
        let reason = "the Request cannot be read\(what): \(refused.problem); nothing was created. "
            + "Correct the object in the spec and submit it again"
        logger.warning("refusing a malformed request", metadata: [
            "spec_id": "\(refused.specID)", "object_id": "\(refused.object.id?.description ?? "-")",
            "problem": "\(refused.problem)",
        ])
        let notify = composer.failure(specID: refused.specID, object: refused.object, reason: reason)
        await settle(DeliverySlot(delivery), answer: .notify(notify), dependents: refused.dependedBy,
                     trace: Self.trace(of: delivery))
    }

    /// Checks, waits for dependencies, applies: what to answer.
    func process(_ request: RequestMessage) async -> Answer {
        var requested = request.object
        guard let id = requested.id else {
            return .deadLetter(reason: "a Request needs object.id; spec \(request.specID)")
        }
        var metadata: Logger.Metadata = ["spec_id": "\(request.specID)", "object_id": "\(id)"]
        func fail(_ object: Object, _ reason: String) -> Answer {
            logger.warning("request failed", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            return .notify(composer.failure(specID: request.specID, object: object, reason: reason))
        }
        guard let type = requested.type, driver.resourceTypes.contains(type) else {
            let typeText = requested.type?.rawValue ?? "an object without a type"
            let servedBy = requested.type?.servingAgent.map { "; \(requested.type!.rawValue) is created by \($0.rawValue) agents" } ?? ""
            return fail(requested, "this \(driver.agentType.rawValue) agent (\(identity.agentID)) does not create "
                + "\(typeText)\(servedBy); nothing was created. The request was sent to the wrong agent")
        }
        metadata["object_type"] = "\(type.rawValue)"
        requested.desiredState = requested.desiredState ?? type.defaultDesiredState
        do {
            try driver.validate(requested)
        } catch {
            return fail(requested, "\(Self.reason(error)); nothing was created")
        }

        // Dependencies: what the request embeds, filled in from the Notifies recorded so far.
        let ids = requested.embeddedIDs
        var snapshot = await board.snapshot(of: ids)
        var object = requested.replacingEmbedded(with: snapshot.reported)
        var unmet = driver.unmetDependencies(of: object)
        var waitedFor: [UnmetDependency] = []
        if !unmet.isEmpty {
            waitedFor = unmet
            let waiting = await board.waitingCount + 1
            logger.info("request parked until its dependencies are ready", metadata: metadata.merging([
                "waiting_for": "\(unmet.map(\.description).joined(separator: ", "))",
                "parked": "\(waiting)",
            ]) { $1 })
            if waiting >= configuration.prefetch {
                logger.warning("""
                    as many requests are parked as the prefetch allows: Notifies queued behind them \
                    cannot arrive until some time out; raise amqp.prefetch for this agent
                    """, metadata: ["prefetch": "\(configuration.prefetch)"])
            }
            let deadline = ContinuousClock.now + configuration.dependencyTimeout
            while !unmet.isEmpty {
                switch await board.waitForReport(on: ids, after: snapshot.sequence, until: deadline) {
                case .stopped:
                    logger.info("leaving a parked request for redelivery", metadata: metadata)
                    return .abandon
                case .deadlinePassed:
                    return fail(object, await timeoutReason(unmet))
                case .reported:
                    snapshot = await board.snapshot(of: ids)
                    object = requested.replacingEmbedded(with: snapshot.reported)
                    unmet = driver.unmetDependencies(of: object)
                    waitedFor += unmet.filter { new in !waitedFor.contains { $0.object.id == new.object.id } }
                }
            }
        }

        // Apply, one version of an object at a time, within the apply deadline.
        let ready = object
        let outcome: ApplyOutcome
        do {
            outcome = try await locks.withLock(id) { [driver, configuration] in
                try await withDeadline(configuration.applyTimeout) { try await driver.apply(ready) }
            }
        } catch is DeadlineExceeded {
            return fail(ready, "the agent did not finish within \(configuration.applyTimeout.secondsText); "
                + "it may finish later or have left the resource half-done; check the host and apply again")
        } catch {
            if Task.isCancelled {
                logger.info("leaving a request interrupted by shutdown for redelivery", metadata: metadata)
                return .abandon
            }
            return fail(ready, Self.reason(error))
        }
        do {
            if outcome.object.isBeingRemoved {
                try held.release(id)
            } else {
                try held.hold(outcome.object, specID: request.specID)
            }
        } catch {
            logger.error("applied, but cannot record it in the state directory; start-up reconciliation will be wrong about this object", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
        logger.info("applied", metadata: metadata.merging(["desired_state": "\(outcome.object.desiredState ?? "-")"]) { $1 })
        return .notify(composer.success(specID: request.specID, object: outcome.object, message: outcome.message,
                                        waitedFor: waitedFor))
    }

    /// Publishes the answer and acknowledges, or leaves the delivery for redelivery when the
    /// answer could not be sent.
    func settle(_ slot: DeliverySlot, answer: Answer, dependents: [Object], trace: TraceContext?) async {
        switch answer {
        case .abandon:
            return
        case .deadLetter(let reason):
            try? await slot.current.deadLetter(reason: reason)
        case .notify(let notify):
            for message in composer.messages(for: notify, dependents: dependents, trace: trace) {
                do {
                    try await publisher.publish(message, timeout: Self.publishTimeout)
                } catch BrokerError.unroutable(_, let routingKey, _) where routingKey != ConductorClient.queue {
                    // An agent whose queue does not exist has never run: nothing waits there.
                    logger.warning("a dependent's agent has no queue; it cannot be told", metadata: [
                        "agent_id": "\(routingKey)", "spec_id": "\(notify.specID)",
                    ])
                } catch {
                    if Task.isCancelled { return }
                    logger.error("cannot send a Notify; the request goes back to the queue to be done again", metadata: [
                        "routing_key": "\(message.routingKey)", "spec_id": "\(notify.specID)", "error": "\(error)",
                    ])
                    try? await slot.current.reject(requeue: true)
                    return
                }
            }
            try? await slot.current.ack()
        }
    }

    /// Why a parked request gave up: per missing dependency, what it lacks, whose Notify never
    /// came, and the dependency's own failure when one was reported.
    func timeoutReason(_ unmet: [UnmetDependency]) async -> String {
        var parts: [String] = []
        for dependency in unmet {
            var text = "\(dependency) has no \(dependency.missingField)"
            if let agent = dependency.object.scheduledAgent {
                let host = agent.hostID.map { " on host \($0)" } ?? ""
                text += "; its agent \(agent.type?.rawValue ?? "agent") \(agent.id?.description ?? "?")\(host) "
                    + "sent no successful Notify within \(configuration.dependencyTimeout.secondsText)"
            } else {
                text += "; no Notify came within \(configuration.dependencyTimeout.secondsText) "
                    + "(and the request does not say which agent makes it)"
            }
            if let id = dependency.object.id, let failure = await board.failure(of: id) {
                text += "; its last report was an ERROR: \(failure.message)"
            } else {
                text += "; check that agent is alive and consuming its queue"
            }
            parts.append(text)
        }
        return parts.joined(separator: "; ") + "; nothing was created"
    }

    static func trace(of delivery: Delivery) -> TraceContext? {
        TraceContext(headers: delivery.properties.headers)?.nextHop()
    }

    /// The words for a failure: a driver's own sentence, a command's error output, or the error.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let failure as AgentFailure: failure.message
        case let failure as CommandFailure: failure.description
        default: "\(error)"
        }
    }

}

extension Object {
    /// Driven to `deleted` or `destroyed`: after applying, the agent no longer holds it.
    var isBeingRemoved: Bool {
        desiredState == "deleted" || desiredState == "destroyed"
    }
}

extension Duration {
    /// `60 s`, `1.5 s`.
    var secondsText: String {
        let seconds = Double(components.seconds) + Double(components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
