import Foundation
import Hummingbird
import Logging
import Store

/// `GET /api/spec/{id}/events`: the spec's event log, as a page (JSON, YAML) or, with `Accept:
/// text/event-stream`, as Server-Sent Events pushed as they are recorded until the latest version
/// settles.
struct EventController<Context: RequestContext> {
    let store: Store
    let database: DatabaseGuard
    /// Wakes streams when their spec changes; without one, only pages are served (streams are 503).
    let hub: SpecChangeHub?
    let settings: EventStreamSettings
    static var maxPage: Int { 1_000 }
    static var lastEventID: HTTPFields.Element.Name { HTTPFields.Element.Name("Last-Event-ID")! }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("spec/:id/events", use: events)
    }

    @Sendable func events(_ request: Request, context: Context) async throws -> Response {
        let specID = try SpecController<Context>.specID(context)
        let parameters = request.uri.queryParameters
        try parameters.requireOnly(["after", "limit"])
        // A reconnecting EventSource sends the last id it saw; it wins over `after`. Both are
        // checked, so a bad one is refused whichever is used.
        let resumed = try Self.eventID(request.headers[Self.lastEventID], name: "Last-Event-ID")
        let asked = try Self.eventID(parameters["after"].map(String.init), name: "after")
        let after = resumed ?? asked ?? 0
        if request.headers[.accept]?.contains("text/event-stream") == true {
            return try await stream(specID, after: after, logger: context.logger)
        }
        let limit = try Self.limit(parameters["limit"].map(String.init))
        let page = try await database.run { [store] in
            guard try await store.spec(specID) != nil else { throw APIError.notFound("spec \(specID)") }
            return try await EventPage.read(store, specID: specID, after: after, limit: limit, names: [:])
        }
        return Negotiation(request).respond(EventLog(
            specID: specID, state: page.state.rawValue, events: page.items,
            next: page.events.count == limit ? page.events.last?.id : nil))
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return maxPage }
        guard text.count <= 4, let limit = Int(text), (1...maxPage).contains(limit) else {
            throw APIError(status: .badRequest, message: "limit must be a whole number from 1 to \(maxPage)")
        }
        return limit
    }

    /// `after` or `Last-Event-ID`: an event id (a whole number, 0 for "from the start").
    static func eventID(_ text: String?, name: String) throws -> Int64? {
        guard let text else { return nil }
        guard text.count <= 19, let id = Int64(text), id >= 0 else {
            throw APIError(status: .badRequest, message: "\(name) must be an event id: a whole number from 0")
        }
        return id
    }

    func stream(_ specID: Int64, after start: Int64, logger: Logger) async throws -> Response {
        guard let hub else {
            throw APIError(status: .serviceUnavailable, message: "this API instance does not stream events; read the log without "
                + "Accept: text/event-stream", retryAfterSeconds: DatabaseGuard.retryAfterSeconds)
        }
        // Subscribed before the first read, so nothing recorded in between is missed.
        guard let subscription = hub.subscribe(specID) else {
            throw APIError(status: .serviceUnavailable, message: "\(settings.maxStreams) event streams are open on this API instance "
                + "(api.max_event_streams); try again later", retryAfterSeconds: DatabaseGuard.retryAfterSeconds)
        }
        do {
            try await database.run { [store] in
                guard try await store.spec(specID) != nil else { throw APIError.notFound("spec \(specID)") }
            }
        } catch {
            hub.unsubscribe(subscription)
            throw error
        }
        let (store, database, settings) = (store, database, settings)
        let headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: settings.keepAlive)
                    subscription.tick()
                }
            }
            defer {
                ticker.cancel()
                hub.unsubscribe(subscription)
            }
            do {
                try await Self.pump(specID, after: start, subscription: subscription, into: &writer,
                                    store: store, database: database, until: .now + settings.streamLimit, logger: logger)
                // Without it the answer's chunked body never ends and the client waits for more.
                try await writer.finish(nil)
            } catch {
                // The client went away; nothing to answer.
                logger.debug("event stream ended", metadata: ["spec_id": "\(specID)", "error": "\(error)"])
            }
        })
    }

    /// Writes the spec's events after `start` as they are recorded; returns after `settled`, at
    /// `until`, or when the hub shuts down.
    static func pump(
        _ specID: Int64, after start: Int64, subscription: SpecChangeHub.Subscription, into writer: inout any ResponseBodyWriter,
        store: Store, database: DatabaseGuard, until: ContinuousClock.Instant, logger: Logger
    ) async throws {
        var after = start
        var names: [UUID: String] = [:]
        var stale = true
        var signals = subscription.signals.makeAsyncIterator()
        try await writer.write(ServerSentEvent.comment("events of spec \(specID)"))
        while true {
            if stale || subscription.takeChanged() {
                do {
                    let (from, known) = (after, names)
                    let page = try await database.run {
                        try await EventPage.read(store, specID: specID, after: from, limit: maxPage, names: known)
                    }
                    stale = page.events.count == maxPage  // more to read at once
                    names = page.names
                    for item in page.items {
                        try await writer.write(ServerSentEvent(id: String(item.id), event: "event", json: item).bytes)
                        after = item.id
                    }
                    if !stale, let settled = page.settled {
                        try await writer.write(ServerSentEvent(event: "settled", json: settled).bytes)
                        return
                    }
                    if stale { continue }
                } catch let error as APIError {
                    // The database is away: tried again at the next wake-up or keep-alive.
                    logger.debug("event stream could not read", metadata: ["spec_id": "\(specID)", "error": "\(error.message)"])
                    stale = true
                }
            } else {
                try await writer.write(ServerSentEvent.comment("keep-alive"))
            }
            guard ContinuousClock.now < until else { return }
            // Ends when the hub shuts down.
            guard await signals.next() != nil else { return }
        }
    }
}

/// One read of a spec's log: the state first, then the events, so a settled state is never seen
/// before the events recorded with it (they commit in the same transaction).
struct EventPage: Sendable {
    var state: SpecState
    var settled: EventLog.Settled?
    var events: [Event]
    var names: [UUID: String]

    var items: [EventLog.Item] { events.map { EventLog.Item($0, names: names) } }

    static func read(_ store: Store, specID: Int64, after: Int64, limit: Int, names known: [UUID: String]) async throws -> EventPage {
        guard let head = try await store.spec(specID) else { throw APIError.notFound("spec \(specID)") }
        var settled: EventLog.Settled?
        if head.state != .pending {
            let reason = try await store.specVersion(specID, version: head.latestVersion)?.reason
            settled = EventLog.Settled(specID: specID, version: head.latestVersion, state: head.state.rawValue, reason: reason)
        }
        let events = try await store.events(specID: specID, after: after, limit: limit)
        var names = known
        let unknown = Set(events.compactMap(\.objectID)).subtracting(names.keys)
        if !unknown.isEmpty {
            names.merge(try await store.nodeNames(Array(unknown))) { _, new in new }
        }
        return EventPage(state: head.state, settled: settled, events: events, names: names)
    }
}
