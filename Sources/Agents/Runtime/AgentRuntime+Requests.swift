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
        /// Acknowledge without an answer: a request of an attempt this agent has moved past.
        case refused
        /// Leave the delivery unacknowledged for redelivery (the agent is stopping).
        case abandon
        case deadLetter(reason: String)
    }

    /// Records another agent's result on the board.
    func record(_ notify: NotifyMessage) async {
        await board.record(notify)
        logger.debug("recorded a Notify", metadata: [
            "spec_id": "\(notify.specID)", "object_id": "\(notify.object.id?.description ?? "-")",
            "level": "\(notify.level.rawValue)",
        ])
    }

    /// The answer to a request that could not be decoded but names its spec and object.
    func refusal(_ refused: RefusedRequest) -> NotifyMessage {
        let what = refused.typeText.map { " (type '\($0)')" } ?? ""
        let reason = "the Request cannot be read\(what): \(refused.problem); nothing was created. "
            + "Correct the object in the spec and submit it again"
        logger.warning("refusing a malformed request", metadata: [
            "spec_id": "\(refused.specID)", "object_id": "\(refused.object.id?.description ?? "-")",
            "problem": "\(refused.problem)",
        ])
        return composer.failure(specID: refused.specID, object: refused.object, reason: reason, attempt: refused.attempt)
    }

    /// Checks, waits for dependencies, applies: what to answer.
    func process(_ request: RequestMessage) async -> Answer {
        var requested = request.object
        guard let id = requested.id else {
            return .deadLetter(reason: "a Request needs object.id; spec \(request.specID)")
        }
        var metadata: Logger.Metadata = ["spec_id": "\(request.specID)", "object_id": "\(id)"]
        if let attempt = request.attempt { metadata["attempt"] = "\(attempt)" }
        func fail(_ object: Object, _ reason: String) -> Answer {
            logger.warning("request failed", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            return .notify(composer.failure(specID: request.specID, object: object, reason: reason, attempt: request.attempt))
        }
        guard let type = requested.type, driver.resourceTypes.contains(type) else {
            let typeText = requested.type?.rawValue ?? "an object without a type"
            let servedBy = requested.type?.servingAgent.map { "; \(requested.type!.rawValue) is created by \($0.rawValue) agents" } ?? ""
            return fail(requested, "this \(driver.agentType.rawValue) agent (\(identity.agentID)) does not create "
                + "\(typeText)\(servedBy); nothing was created. The request was sent to the wrong agent")
        }
        metadata["object_type"] = "\(type.rawValue)"
        requested.desiredState = requested.desiredState ?? type.defaultDesiredState
        if let refused = refusingStale(request, id: id, metadata: metadata) { return refused }
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
            let stillWaiting = unmet
            let outcome: DependencyBoard.WaitOutcome? = await reportingProgress(request, object, {
                "waiting for " + stillWaiting.map(\.description).joined(separator: ", ")
            }) {
                while !unmet.isEmpty {
                    switch await board.waitForReport(on: ids, after: snapshot.sequence, until: deadline) {
                    case .stopped: return .stopped
                    case .deadlinePassed: return .deadlinePassed
                    case .reported:
                        snapshot = await board.snapshot(of: ids)
                        object = requested.replacingEmbedded(with: snapshot.reported)
                        unmet = driver.unmetDependencies(of: object)
                        waitedFor += unmet.filter { new in !waitedFor.contains { $0.object.id == new.object.id } }
                    }
                }
                return nil
            }
            switch outcome {
            case .stopped?:
                logger.info("leaving a parked request for redelivery", metadata: metadata)
                return .abandon
            case .deadlinePassed?:
                return fail(object, await timeoutReason(unmet))
            case .reported?, nil:
                break
            }
        }

        // Apply, one version of an object at a time, within the apply deadline; an attempt older
        // than the one last applied is refused under the same lock, which also covers recording
        // the attempt (a parked older request must not slip in between the apply and its record).
        let ready = object
        let outcome: ApplyOutcome?
        do {
            outcome = try await reportingProgress(request, ready, { "applying" }) {
                try await locks.withLock(id) { [driver, configuration, metadata, driverMetrics] in
                    if self.isStale(request, id: id) { return nil }
                    let outcome = try await driverMetrics.measure(ready.isBeingRemoved ? .remove : .apply, of: type) {
                        try await withDeadline(configuration.applyTimeout) {
                            try await driver.apply(ready, copyingFrom: request.copyFrom)
                        }
                    }
                    self.recordHeld(outcome, request: request, metadata: metadata)
                    return outcome
                }
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
        guard let outcome else {
            return refusingStale(request, id: id, metadata: metadata) ?? .refused
        }
        logger.info("applied", metadata: metadata.merging(["desired_state": "\(outcome.object.desiredState ?? "-")"]) { $1 })
        return .notify(composer.success(specID: request.specID, object: outcome.object, message: outcome.message,
                                        waitedFor: waitedFor, attempt: request.attempt))
    }

    /// Records in the state directory what an apply left on the host, with its attempt.
    func recordHeld(_ outcome: ApplyOutcome, request: RequestMessage, metadata: Logger.Metadata) {
        do {
            if outcome.object.isBeingRemoved {
                try held.release(outcome.object, specID: request.specID, attempt: request.attempt)
            } else {
                try held.hold(outcome.object, specID: request.specID, attempt: request.attempt)
            }
        } catch {
            logger.error("applied, but cannot record it in the state directory; start-up reconciliation will be wrong about this object", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Whether this agent has applied a later attempt of the object than `request` carries.
    func isStale(_ request: RequestMessage, id: ObjectID) -> Bool {
        guard let attempt = request.attempt, let heldAttempt = held.attempt(of: id) else { return false }
        return attempt < heldAttempt
    }

    /// ``Answer/refused`` (logged) for a request of an abandoned attempt, else nil.
    func refusingStale(_ request: RequestMessage, id: ObjectID, metadata: Logger.Metadata) -> Answer? {
        guard isStale(request, id: id) else { return nil }
        logger.notice("refusing a request of an abandoned attempt; this agent has applied a later one", metadata: metadata.merging([
            "held_attempt": "\(held.attempt(of: id).map(String.init) ?? "-")",
        ]) { $1 })
        return .refused
    }

    /// Runs `body`; while it takes longer than ``AgentConfiguration/progressInterval``, tells
    /// the conductor every interval that this attempt is still at work (`INFO`, which moves the
    /// conductor's deadline on).
    func reportingProgress<Result: Sendable>(
        _ request: RequestMessage, _ object: Object, _ doing: @escaping @Sendable () -> String,
        _ body: () async throws -> Result
    ) async rethrows -> Result {
        let interval = configuration.progressInterval
        let reporter = Task { [composer, publisher, logger] in
            var elapsed = Duration.zero
            while true {
                do { try await Task.sleep(for: interval) } catch { return }
                elapsed += interval
                let notify = composer.progress(specID: request.specID, object: object,
                                               message: "still \(doing()) after \(elapsed.secondsText)", attempt: request.attempt)
                do {
                    try await publisher.publish(ConductorClient.notify(notify, trace: nil), timeout: interval)
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("cannot report progress to the conductor", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { reporter.cancel() }
        return try await body()
    }

    /// Publishes the answer to the conductor and the dependents' agents, all at once (their
    /// confirms are awaited together, so a dependent hears as soon as the conductor does); each
    /// result message's id is derived from the request's id, its attempt and the destination, so
    /// an answer sent again (the request was redelivered) is recognised by its receivers.
    func publish(_ notify: NotifyMessage, dependents: [Object], requestID: String?, trace: TraceContext?) async throws {
        let messages = composer.messages(for: notify, dependents: dependents, requestID: requestID, trace: trace)
        var failure: (any Error)?
        for result in await publisher.publishAll(messages, timeout: Self.publishTimeout) {
            switch result {
            case .success:
                break
            case .failure(BrokerError.unroutable(_, let routingKey, _)) where routingKey != ConductorClient.queue:
                // An agent whose queue does not exist has never run: nothing waits there.
                logger.warning("a dependent's agent has no queue; it cannot be told", metadata: [
                    "agent_id": "\(routingKey)", "spec_id": "\(notify.specID)",
                ])
            case .failure(let error):
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
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
