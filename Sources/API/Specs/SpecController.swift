import Foundation
import NIOFoundationCompat
import Hummingbird
import Messages

/// `/api/spec` routes: documents in, resolved documents and progress out.
struct SpecController<Context: RequestContext> {
    let service: SpecService
    /// Bounds on a body (its size among them), checked before it is read as a document.
    let documentLimits: DocumentLimits
    let database: DatabaseGuard

    func addRoutes(to group: RouterGroup<Context>) {
        // Also answers `/api/spec/`, as the seed writes it: the router ignores a trailing slash.
        group.post("spec", use: create)
        group.get("spec", use: list)
        group.get("spec/:id", use: status)
        group.put("spec/:id", use: replace)
        group.delete("spec/:id", use: delete)
        group.get("spec/:id/versions/:version", use: version)
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let negotiation = Negotiation(request)
        let document = try await readDocument(request, negotiation)
        let service = self.service
        return negotiation.respond(try await database.run { try await service.create(document) }, status: .created)
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
        let document = try await readDocument(request, negotiation)
        let service = self.service
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
