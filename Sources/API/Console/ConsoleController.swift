import Clients
import Foundation
import Hummingbird
import Logging
import Messages
import Store

/// `GET /api/objects/{id}/console`: a VM's serial log, read by the compute agent it is placed
/// on (its `scheduled` edge in the graph) and relayed over the broker (docs/api.md, "Consoles").
///
/// The answer is the log's bytes as `text/plain`, with `X-Console-Start`, `X-Console-End` (the
/// `offset` to continue from) and `X-Console-Size`; JSON or YAML when `Accept` names them.
/// `follow=true` keeps a `text/plain` answer open and asks the agent for what was appended about
/// once a second, until the client goes (noticed at the next write), the agent stops answering,
/// or ``ConsoleSettings/followLimit`` has passed. The log is the guest's: never logged here.
struct ConsoleController<Context: RequestContext> {
    let store: Store
    let database: DatabaseGuard
    let console: (any ConsoleFetching)?
    let settings: ConsoleSettings

    static var startHeader: HTTPFields.Element.Name { HTTPFields.Element.Name("X-Console-Start")! }
    static var endHeader: HTTPFields.Element.Name { HTTPFields.Element.Name("X-Console-End")! }
    static var sizeHeader: HTTPFields.Element.Name { HTTPFields.Element.Name("X-Console-Size")! }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("objects/:id/console", use: show)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = ObjectID(text) else {
            throw APIError(status: .badRequest, message: "the object id in the path must be a UUID")
        }
        let parameters = request.uri.queryParameters
        try parameters.requireOnly(["lines", "offset", "follow"])
        let query = try ConsoleQuery(lines: parameters["lines"].map(String.init), offset: parameters["offset"].map(String.init),
                                     follow: parameters["follow"].map(String.init))
        let agentID = try await placement(of: id)
        guard let console else {
            throw APIError(status: .serviceUnavailable, message: "this API instance has no broker connection for consoles; try again later",
                           retryAfterSeconds: DatabaseGuard.retryAfterSeconds)
        }
        let first = try await fetch(console, agentID: agentID, vmID: id, range: query.range)
        if query.follow {
            return follow(console, agentID: agentID, vmID: id, from: first, logger: context.logger)
        }
        if Self.structuredFormat(request) != nil {
            return Negotiation(request).respond(ConsoleBody(vmID: id, agentID: agentID, excerpt: first))
        }
        return Response(status: .ok, headers: Self.headers(first), body: .init(byteBuffer: ByteBuffer(bytes: first.data)))
    }

    /// The agent the VM is placed on: 404 for an unknown object or one that is not a VM, 409
    /// for a VM not placed yet.
    func placement(of id: ObjectID) async throws -> ObjectID {
        try await database.run { [store] in
            guard let node = try await store.node(id.uuid) else { throw APIError.notFound("object \(id)") }
            guard node.type == ObjectType.vmKVM.rawValue else {
                throw APIError(status: .notFound, message: "object \(id) is a \(node.type), not a \(ObjectType.vmKVM.rawValue); only VMs have a console")
            }
            let around = try await store.subgraph(from: id.uuid, depth: 1, direction: .outgoing)
            guard let edge = around.edges.first(where: { $0.source == id.uuid && $0.relation == Relation.scheduled }) else {
                throw APIError(status: .conflict, message: "VM \(id) is not placed on a hypervisor yet, so it has no console; "
                    + "ask again once the scheduler has placed it (GET /api/objects/\(id) shows its state)")
            }
            return ObjectID(edge.target)
        }
    }

    func fetch(_ console: any ConsoleFetching, agentID: ObjectID, vmID: ObjectID, range: ConsoleRange) async throws -> ConsoleExcerpt {
        do {
            return try await console.fetch(ConsoleFetch(agentID: agentID, vmID: vmID, range: range, timeout: settings.timeout))
        } catch {
            throw Self.apiError(error, vmID: vmID)
        }
    }

    /// The answer for each way a read fails.
    static func apiError(_ error: ConsoleFetchError, vmID: ObjectID) -> APIError {
        switch error {
        case .unavailable(let why):
            APIError(status: .serviceUnavailable, message: why, retryAfterSeconds: DatabaseGuard.retryAfterSeconds)
        case .timedOut(let agentID, let after):
            APIError(status: .gatewayTimeout, message: "the compute agent \(agentID) of VM \(vmID) did not answer within \(after) "
                + "(api.console_timeout_seconds): it may be down or busy; try again")
        case .noLog(let why):
            APIError(status: .notFound, message: why)
        case .unsupported(let why), .failed(let why):
            APIError(status: .badGateway, message: why)
        }
    }

    /// JSON or YAML when `Accept` names one of them; nil for the log as text.
    static func structuredFormat(_ request: Request) -> WireFormat? {
        request.headers[.accept].flatMap { header in
            header.split(separator: ",").lazy.compactMap { WireFormat(contentType: String($0)) }.first
        }
    }

    static func headers(_ excerpt: ConsoleExcerpt) -> HTTPFields {
        [.contentType: "text/plain; charset=utf-8", startHeader: String(excerpt.start), endHeader: String(excerpt.end),
         sizeHeader: String(excerpt.size)]
    }

    /// The streamed answer of `follow=true`: `first`, then what the agent finds appended.
    func follow(_ console: any ConsoleFetching, agentID: ObjectID, vmID: ObjectID, from first: ConsoleExcerpt,
                logger: Logger) -> Response {
        let settings = settings
        var headers = Self.headers(first)
        headers[Self.endHeader] = nil
        headers[Self.sizeHeader] = nil
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let clock = ContinuousClock()
            let until = clock.now + settings.followLimit
            var offset = first.end
            var behind = first.end < first.size
            var sent = first.data.count
            var ending = "its time limit (api.console_follow_seconds) passed"
            if !first.data.isEmpty { try await writer.write(ByteBuffer(bytes: first.data)) }
            while clock.now < until {
                // Catching up on a log larger than one answer goes on at once.
                if !behind { try await Task.sleep(for: settings.pollInterval) }
                let excerpt: ConsoleExcerpt
                do {
                    excerpt = try await console.fetch(ConsoleFetch(agentID: agentID, vmID: vmID, range: .from(offset: offset),
                                                                    timeout: settings.timeout))
                } catch {
                    ending = "\(error)"
                    break
                }
                if !excerpt.data.isEmpty {
                    do {
                        try await writer.write(ByteBuffer(bytes: excerpt.data))
                    } catch {
                        ending = "the client went away"
                        break
                    }
                }
                sent += excerpt.data.count
                offset = excerpt.end
                behind = excerpt.end < excerpt.size
            }
            logger.info("console follow ended", metadata: [
                "vm_id": "\(vmID)", "agent_id": "\(agentID)", "bytes": "\(sent)", "reason": "\(ending)",
            ])
            try? await writer.finish(nil)
        })
    }
}

/// A piece of the log as JSON or YAML: its bytes as text (invalid UTF-8 replaced) and where it
/// lies in the log.
struct ConsoleBody: Encodable {
    var vmID: ObjectID
    var agentID: ObjectID
    var start: Int64
    var end: Int64
    var size: Int64
    var text: String

    init(vmID: ObjectID, agentID: ObjectID, excerpt: ConsoleExcerpt) {
        self.vmID = vmID
        self.agentID = agentID
        start = excerpt.start
        end = excerpt.end
        size = excerpt.size
        text = String(decoding: excerpt.data, as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case vmID = "vm_id"
        case agentID = "agent_id"
        case start, end, size, text
    }
}
