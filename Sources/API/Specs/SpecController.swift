import Foundation
import NIOFoundationCompat
import Hummingbird
import Messages
import Scheduler

/// `/api/spec` routes: documents in, resolved documents and progress out.
struct SpecController<Context: RequestContext> {
    let service: SpecService
    /// Bounds on a body (its size among them), checked before it is read as a document.
    let documentLimits: DocumentLimits
    let database: DatabaseGuard
    /// Where a plan (`?dry_run=true`) says the scheduler would place objects.
    let previewer: PlacementPreviewer

    func addRoutes(to group: RouterGroup<Context>) {
        // Also answers `/api/spec/`, as the seed writes it: the router ignores a trailing slash.
        group.post("spec", use: create)
        group.get("spec", use: list)
        group.get("spec/:id", use: status)
        group.put("spec/:id", use: replace)
        group.delete("spec/:id", use: delete)
        group.get("spec/:id/versions/:version", use: version)
        group.get("spec/:id/diff", use: diff)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let negotiation = Negotiation(request)
        let dryRun = try Self.dryRun(request)
        let document = try await readDocument(request, negotiation)
        let (service, previewer) = (self.service, self.previewer)
        if dryRun {
            return negotiation.respond(try await database.run { try await service.planCreation(document, placement: previewer) })
        }
        return negotiation.respond(try await database.run { try await service.create(document) }, status: .created)
    }

    /// `?dry_run=true`: a plan instead of a new version. The only query parameter these take.
    static func dryRun(_ request: Request) throws -> Bool {
        let parameters = request.uri.queryParameters
        try parameters.requireOnly(["dry_run"])
        switch parameters["dry_run"] {
        case nil, "false": return false
        case "true": return true
        default: throw APIError(status: .badRequest, message: "dry_run must be true or false")
        }
    }

    /// `GET /api/spec/{id}/diff?from=V&to=W`: what version W changed against version V.
    @Sendable func diff(_ request: Request, context: Context) async throws -> Response {
        let parameters = request.uri.queryParameters
        try parameters.requireOnly(["from", "to"])
        func version(_ name: String) throws -> Int {
            guard let text = parameters[Substring(name)], text.count <= 9, let version = Int(text), version >= 0 else {
                throw APIError(status: .badRequest, message: "\(name) must be a version number (a whole number from 0)")
            }
            return version
        }
        let (service, specID, from, to) = (self.service, try Self.specID(context), try version("from"), try version("to"))
        return Negotiation(request).respond(try await database.run { try await service.diff(specID: specID, from: from, to: to) })
    }

    /// `GET /api/spec`: a page of specs, newest first, with `state`, `limit` and `cursor`.
    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let (state, page) = try SpecList.read(request.uri.queryParameters)
        let store = service.store
        let specs = try await database.run { try await store.specs(state: state, before: page.specID, limit: page.limit) }
        let next = page.next(count: specs.count, lastSpec: specs.last?.spec.id)
        return Negotiation(request).respond(SpecList(specs: specs.map(SpecList.Item.init), next: next))
    }

    @Sendable func replace(_ request: Request, context: Context) async throws -> Response {
        let negotiation = Negotiation(request)
        let specID = try Self.specID(context)
        let dryRun = try Self.dryRun(request)
        let document = try await readDocument(request, negotiation)
        let (service, previewer) = (self.service, self.previewer)
        if dryRun {
            return negotiation.respond(try await database.run {
                try await service.planReplacement(specID: specID, with: document, placement: previewer)
            })
        }
        return negotiation.respond(try await database.run { try await service.replace(specID: specID, with: document) })
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let (service, specID) = (self.service, try Self.specID(context))
        return Negotiation(request).respond(try await database.run { try await service.delete(specID: specID) }, status: .accepted)
    }

    @Sendable func status(_ request: Request, context: Context) async throws -> Response {
        let (service, specID) = (self.service, try Self.specID(context))
        return Negotiation(request).respond(try await database.run { try await service.status(specID: specID) })
    }

    @Sendable func version(_ request: Request, context: Context) async throws -> Response {
        guard let text = context.parameters.get("version"), let version = Int(text), version >= 0 else {
            throw APIError(status: .badRequest, message: "the version in the path must be a whole number")
        }
        let (service, specID) = (self.service, try Self.specID(context))
        return Negotiation(request).respond(try await database.run { try await service.version(specID: specID, version: version) })
    }

    private func readDocument(_ request: Request, _ negotiation: Negotiation) async throws -> SpecDocument {
        if let contentType = negotiation.unreadableContentType {
            throw DocumentBody.unsupported(contentType: contentType)
        }
        let body = try await request.body.collect(upTo: documentLimits.maxBytes)
        return try DocumentBody.decode(Data(buffer: body), format: negotiation.request, limits: documentLimits)
    }

    static func specID(_ context: Context) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError(status: .badRequest, message: "the spec id in the path must be a positive whole number")
        }
        return id
    }
}
