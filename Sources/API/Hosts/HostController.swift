import Foundation
import Hummingbird
import Clients
import Messages
import Store

/// `/api/hosts`: the hypervisors as their agents report them, and draining one for maintenance.
/// A draining host gets no new placements, and every spec with objects on it is sent to the
/// scheduler to be moved elsewhere (docs/api.md, "Hosts"); what cannot move stays, pinned.
struct HostController<Context: RequestContext> {
    let store: Store
    let database: DatabaseGuard
    /// The longest drain reason, in characters (Unicode scalars, as the OpenAPI document's
    /// `maxLength` counts them).
    static var maxReasonLength: Int { 1_024 }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("hosts", use: list)
        group.get("hosts/:id", use: host)
        group.put("hosts/:id/drain", use: drain)
        group.delete("hosts/:id/drain", use: undrain)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        try request.uri.queryParameters.requireOnly([])
        let hosts = try await database.run { [store] in try await store.hostListings() }
        return Negotiation(request).respond(HostList(hosts: hosts.map(HostView.init)))
    }

    @Sendable func host(_ request: Request, context: Context) async throws -> Response {
        try request.uri.queryParameters.requireOnly([])
        let hostID = try Self.hostID(context)
        return Negotiation(request).respond(try await database.run { [store] in try await Self.detail(store, hostID) })
    }

    /// `PUT /api/hosts/{id}/drain?reason=…`: idempotent; a second call replaces the reason.
    @Sendable func drain(_ request: Request, context: Context) async throws -> Response {
        let parameters = request.uri.queryParameters
        try parameters.requireOnly(["reason"])
        let reason = parameters["reason"].map(String.init) ?? ""
        guard reason.unicodeScalars.count <= Self.maxReasonLength else {
            throw APIError(status: .badRequest, message: "reason is longer than \(Self.maxReasonLength) characters")
        }
        if let code = reason.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            throw APIError(status: .badRequest, message: "reason contains U+\(String(format: "%04X", code.value)) (a control character)")
        }
        let hostID = try Self.hostID(context)
        return Negotiation(request).respond(try await database.run { [store] in
            try await Self.requireKnown(store, hostID)
            try await store.drain(hostID: hostID.uuid, reason: reason) { specs in specs.map { Self.move($0, off: hostID) } }
            return try await Self.detail(store, hostID)
        })
    }

    /// `DELETE /api/hosts/{id}/drain`: the host takes new work again (idempotent).
    @Sendable func undrain(_ request: Request, context: Context) async throws -> Response {
        try request.uri.queryParameters.requireOnly([])
        let hostID = try Self.hostID(context)
        return Negotiation(request).respond(try await database.run { [store] in
            try await Self.requireKnown(store, hostID)
            try await store.undrain(hostID: hostID.uuid)
            return try await Self.detail(store, hostID)
        })
    }

    /// The scheduler's request to move what spec `specID` has on a draining host elsewhere. It
    /// carries no objects: the scheduler reads them under the spec's lock, as they are then.
    static func move(_ specID: Int64, off hostID: ObjectID) -> OutboxMessage {
        let message = SpecMessage(id: specID, annotations: [Annotations.drainingHost: .string(hostID.description)], spec: [])
        return OutboxMessage(SchedulerClient.spec(message, trace: nil))
    }

    static func hostID(_ context: Context) throws -> ObjectID {
        guard let text = context.parameters.get("id"), let id = ObjectID(text) else {
            throw APIError(status: .badRequest, message: "the host id in the path must be a UUID")
        }
        return id
    }

    /// A host is known while an agent reports it or it is draining.
    static func requireKnown(_ store: Store, _ hostID: ObjectID) async throws {
        guard try await store.hostListing(hostID.uuid) != nil else {
            throw APIError.notFound("host \(hostID) (no agent reports it)")
        }
    }

    static func detail(_ store: Store, _ hostID: ObjectID) async throws -> HostDetail {
        guard let listing = try await store.hostListing(hostID.uuid) else {
            throw APIError.notFound("host \(hostID) (no agent reports it)")
        }
        let objects = try await store.objectsPlaced(onHost: hostID.uuid)
        return HostDetail(host: HostView(listing), objects: objects.map { HostDetail.Placed($0, pinned: listing.drain != nil) })
    }
}
