import CRabbitMQ
import Logging

/// What declaring a ``Topology`` found besides what it declared, for the caller's log.
struct DeclarationReport: Sendable, Equatable {
    /// Objects this broker user may not declare (`exchange n0core`, `queue conductor` …), found
    /// existing and used as they are; their bindings are left to the users that declare them.
    var found: [String] = []
    /// Work queues made by a release before the dedicated dead-letter exchange, re-declared with
    /// the arguments they have (``Topology/legacyWorkQueueArguments``).
    var legacyQueues: [String] = []

    /// Logs what was found: legacy queues once per engine (`warned` remembers them), as an
    /// operator may want to convert them (docs/deployment.md); objects only found, at debug,
    /// since that is how a hypervisor's user always connects.
    func log(to logger: Logger, warned: inout Set<String>) {
        let fresh = legacyQueues.filter { warned.insert($0).inserted }
        if !fresh.isEmpty {
            logger.warning("queues made by an earlier release dead-letter through the default exchange; using them as they are", metadata: [
                "broker.queues": "\(fresh.joined(separator: ","))",
                "see": "docs/deployment.md, converting queues to the dead-letter exchange",
            ])
        }
        if !found.isEmpty {
            logger.debug("not ours to declare; found them", metadata: ["broker.objects": "\(found.joined(separator: ","))"])
        }
    }
}

extension AMQPConnection {
    /// Declares what the topology lists; safe to repeat on every connect.
    ///
    /// Two refusals are expected and handled on the same connection (the broker closes the
    /// channel; it is reopened and the next step taken):
    /// - `ACCESS_REFUSED` (403) for an object this broker user may not configure — a
    ///   hypervisor's user may declare only its agents' queues, not the exchanges, the
    ///   dead-letter queue or `conductor`. The object is then looked up (a passive declaration,
    ///   which needs no right) and used if it exists; if not, the declaration fails until a
    ///   service allowed to make it has run.
    /// - `PRECONDITION_FAILED` (406) naming `x-dead-letter-exchange` for a work queue made by an
    ///   earlier release with the default exchange as its dead-letter exchange: a queue keeps its
    ///   arguments for life, so it is declared with those. The broker still dead-letters from it
    ///   into ``Topology/deadLetterQueue`` (the broker's own dead-lettering needs no right), and
    ///   explicit dead letters go through ``Topology/deadLetterExchange`` anyway.
    /// Anything else refused fails the connection, as before.
    func declare(_ topology: Topology) throws -> DeclarationReport {
        var report = DeclarationReport()
        for (name, type) in [(Topology.exchange, "topic"), (Topology.deadLetterExchange, "direct")] {
            if try declareExchange(orFind: name, type: type) == .found { report.found.append("exchange \(name)") }
        }
        switch try declareQueue(orFind: Topology.deadLetterQueue, arguments: topology.deadLetterQueueArguments) {
        case .declared, .legacy:
            try bindQueue(Topology.deadLetterQueue, exchange: Topology.deadLetterExchange, routingKey: Topology.deadLetterQueue)
        case .found:
            report.found.append("queue \(Topology.deadLetterQueue)")
        }
        for queue in topology.queues {
            let outcome = try declareQueue(
                orFind: queue.name, arguments: topology.workQueueArguments, legacyArguments: topology.legacyWorkQueueArguments)
            switch outcome {
            case .found:
                report.found.append("queue \(queue.name)")
                continue
            case .legacy:
                report.legacyQueues.append(queue.name)
            case .declared:
                break
            }
            for key in queue.bindingKeys {
                try bindQueue(queue.name, exchange: Topology.exchange, routingKey: key)
            }
            if queue.tapsDeadLetters {
                try bindQueue(queue.name, exchange: Topology.deadLetterExchange, routingKey: Topology.deadLetterQueue)
            }
        }
        for queue in topology.replyQueues {
            try declareReplyQueue(queue.name)
            try bindQueue(queue.name, exchange: Topology.exchange, routingKey: queue.bindingKey)
        }
        return report
    }

    private enum Declared: Equatable {
        case declared
        /// Declared with ``Topology/legacyWorkQueueArguments``.
        case legacy
        /// Not ours to declare; it exists.
        case found
    }

    private func declareExchange(orFind name: String, type: String) throws -> Declared {
        let outcome = try channelRPC("declaring exchange \(name)") { arena in
            _ = amqp_exchange_declare(state, channel, arena.bytes(name), arena.bytes(type), 0, 1, 0, 0, amqp_table_t())
        }
        switch outcome {
        case .done:
            return .declared
        case .closed(code: 403, let refusal):
            return try find("exchange", name, refusal: refusal) { arena in
                _ = amqp_exchange_declare(state, channel, arena.bytes(name), arena.bytes(type), 1, 0, 0, 0, amqp_table_t())
            }
        case .closed(let code, let text):
            throw fail(.channelClosed(code: code, text: text))
        }
    }

    private func declareQueue(
        orFind name: String, arguments: [(String, FieldValue)], legacyArguments: [(String, FieldValue)]? = nil
    ) throws -> Declared {
        func declare(_ arguments: [(String, FieldValue)]) throws -> ChannelOutcome {
            try channelRPC("declaring queue \(name)") { arena in
                _ = amqp_queue_declare(state, channel, arena.bytes(name), 0, 1, 0, 0, arena.table(arguments))
            }
        }
        switch try declare(arguments) {
        case .done:
            return .declared
        case .closed(code: 406, let text) where legacyArguments != nil && text.contains("x-dead-letter-exchange"):
            switch try declare(legacyArguments ?? []) {
            case .done: return .legacy
            case .closed(let code, let text): throw fail(.channelClosed(code: code, text: text))
            }
        case .closed(code: 403, let refusal):
            return try find("queue", name, refusal: refusal) { arena in
                _ = amqp_queue_declare(state, channel, arena.bytes(name), 1, 0, 0, 0, amqp_table_t())
            }
        case .closed(let code, let text):
            throw fail(.channelClosed(code: code, text: text))
        }
    }

    /// A classic queue, exclusive and auto-deleted: gone with this connection.
    private func declareReplyQueue(_ name: String) throws {
        switch try channelRPC("declaring reply queue \(name)", { arena in
            _ = amqp_queue_declare(state, channel, arena.bytes(name), 0, 0, 1, 1, amqp_table_t())
        }) {
        case .done: return
        case .closed(let code, let text): throw fail(.channelClosed(code: code, text: text))
        }
    }

    /// Looks an object up with a passive declaration after this user was refused declaring it.
    private func find(_ kind: String, _ name: String, refusal: String, passive: (CArena) -> Void) throws -> Declared {
        switch try channelRPC("looking up \(kind) \(name)", passive) {
        case .done:
            return .found
        case .closed(let code, let text):
            throw fail(.channelClosed(code: code, text: "\(text) (and this broker user may not declare it: \(refusal)); "
                + "a service whose user may, such as the conductor, must have declared it first"))
        }
    }

    private enum ChannelOutcome {
        case done
        /// The broker refused the method and closed the channel, which has been reopened.
        case closed(code: Int, text: String)
    }

    /// Sends one synchronous method (`send` calls rabbitmq-c with memory from the arena) and
    /// reads its reply. A channel.close in reply is answered and the channel opened again, so the
    /// connection stays usable; a connection-level failure throws and breaks it.
    private func channelRPC(_ context: String, _ send: (CArena) -> Void) throws -> ChannelOutcome {
        withCArena { arena in send(arena) }
        let reply = amqp_get_rpc_reply(state)
        guard reply.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION, reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD else {
            try checkReply(reply, context)
            return .done
        }
        var code = 0
        var text = "channel closed"
        if let close = reply.reply.decoded?.assumingMemoryBound(to: amqp_channel_close_t.self).pointee {
            code = Int(close.reply_code)
            text = close.reply_text.string
        }
        var closeOK = amqp_channel_close_ok_t(dummy: 0)
        try check(amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOK), "\(context): closing the refused channel")
        _ = amqp_channel_open(state, channel)
        try checkReply("\(context): reopening the channel")
        return .closed(code: code, text: text)
    }
}
