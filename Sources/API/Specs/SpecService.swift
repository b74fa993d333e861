import Foundation
import Logging
import Messages
import Clients
import ServiceDatabase
import ServiceSupport
import Store
import W3CTraceContext

/// What the spec routes do, over the store: resolve a document against the graph, store the
/// version with its objects and the `Spec` message for the scheduler in one transaction, and
/// read versions and progress back.
public struct SpecService: Sendable {
    let store: Store
    let limits: SpecLimits
    let logger: Logger

    public init(store: Store, limits: SpecLimits, logger: Logger) {
        self.store = store
        self.limits = limits
        self.logger = logger
    }

    /// `POST /api/spec`: a new spec at version 0.
    public func create(_ submitted: SpecDocument) async throws -> SpecResponse {
        let (document, resolved) = try await creation(submitted)
        let trace = TraceContext.start()
        let record = try Self.versionRecord(document, resolved)
        let version = StoreTransaction.firstVersion
        let (specID, createdAt) = try await store.withTransaction { tx in
            let created = try await tx.createSpec(record) { specID in
                [OutboxMessage(SchedulerClient.spec(
                    SpecMessage(id: specID, version: version, annotations: document.annotations, spec: resolved.objects),
                    trace: trace))]
            }
            let (nodes, edges) = try Self.graphRecords(resolved.objects, specID: created.specID)
            try await tx.upsertNodes(nodes, preservingObjectKeys: Self.observedKeys)
            try await tx.upsertEdges(edges)
            try await tx.acceptPlacements(nodes.map(\.id), specID: created.specID, version: version)
            try await tx.appendEvents([Event(specID: created.specID, version: version, kind: .accepted,
                                             message: "version \(version) accepted with \(resolved.objects.count) objects")])
            return created
        }
        logger.info("spec accepted", metadata: [
            "spec_id": "\(specID)", "version": "\(version)", "objects": "\(resolved.objects.count)",
            "trace_id": "\(trace.traceID)",
        ])
        return SpecResponse(id: specID, createdAt: createdAt, version: version,
                            annotations: document.annotations, spec: resolved.document.spec.redacting(resolved.keptSecrets))
    }

    /// What a `POST` of `submitted` would store, after every check `POST` makes: the document
    /// without read-only fields, resolved.
    func creation(_ submitted: SpecDocument) async throws -> (SpecDocument, ResolvedSpec) {
        try Self.refuseReadOnlyFields(of: submitted)
        let document = submitted.withoutReadOnlyFields
        if let version = document.version, version != StoreTransaction.firstVersion {
            throw APIError(status: .unprocessableContent, message: "a new spec starts at version 0",
                           problems: [FieldProblem(path: "version", message: "must be 0 (or left out) for a new spec; use PUT /api/spec/{id} to add a version")])
        }
        return (document, try await resolve(document, specID: nil))
    }

    /// `PUT /api/spec/{id}`: the document's `version` names the version it replaces; the new
    /// version is the next one. Only objects that changed are sent to the scheduler; objects
    /// the new document leaves out are driven to `deleted`.
    ///
    /// A version read back (`GET /api/spec/{id}/versions/{v}`) can be sent unchanged: its
    /// read-only `id` and `created_at` are accepted when they are this spec's and the replaced
    /// version's, and a masked `vnc_password` keeps the stored one.
    public func replace(specID: Int64, with submitted: SpecDocument) async throws -> SpecResponse {
        let replacement = try await replacement(specID: specID, with: submitted)
        var newDocument = replacement.document
        newDocument.version = replacement.replaces + 1
        var answer = try await storeVersion(specID: specID, version: replacement.replaces + 1, document: newDocument,
                                            resolvedDocument: replacement.resolved.document, objects: replacement.changed)
        // The password is echoed only where this request set it.
        answer.spec = answer.spec.redacting(replacement.resolved.keptSecrets)
        return answer
    }

    /// What a `PUT` of `submitted` would store, after every check `PUT` makes.
    struct Replacement {
        var replaces: Int
        /// The document without its read-only fields.
        var document: SpecDocument
        var resolved: ResolvedSpec
        /// The objects the spec owns now.
        var owned: [ObjectID: Object]
        /// The objects the new version changes, those it leaves out driven to `deleted`.
        var changed: [Object]
    }

    func replacement(specID: Int64, with submitted: SpecDocument) async throws -> Replacement {
        guard let replaces = submitted.version else {
            throw APIError(status: .unprocessableContent, message: "the document must say which version it replaces",
                           problems: [FieldProblem(path: "version", message: "is required: the version this document replaces")])
        }
        guard let head = try await store.spec(specID) else { throw APIError.notFound("spec \(specID)") }
        guard head.latestVersion == replaces else { throw Self.staleVersion(specID, replaces: replaces, latest: head.latestVersion) }
        if submitted.createdAt != nil || submitted.id != nil {
            let replaced = try await store.specVersion(specID, version: replaces)
            try Self.checkReadOnlyFields(of: submitted, specID: specID, replaced: replaced)
        }
        let document = submitted.withoutReadOnlyFields
        let resolved = try await resolve(document, specID: specID)
        let owned = try await ownedObjects(specID)
        var changed: [Object] = []
        for object in resolved.objects {
            guard let id = object.id else { continue }
            if owned[id].map({ Self.desired($0) != Self.desired(object) }) ?? true { changed.append(object) }
        }
        let kept = Set(resolved.objects.compactMap(\.id))
        for (id, object) in owned where !kept.contains(id) && object.desiredState != "deleted" {
            var removed = object
            removed.desiredState = "deleted"
            changed.append(removed)
        }
        try await refuseDeletingImagesInUse(changed)
        return Replacement(replaces: replaces, document: document, resolved: resolved, owned: owned, changed: changed)
    }

    /// `DELETE /api/spec/{id}`: a new version that drives every object of the spec to `deleted`.
    /// Deleting a spec whose objects are all deleted already changes nothing.
    public func delete(specID: Int64) async throws -> SpecResponse {
        guard let head = try await store.spec(specID),
              let latest = try await store.specVersion(specID, version: head.latestVersion)
        else { throw APIError.notFound("spec \(specID)") }
        let owned = try await ownedObjects(specID)
        let previous = try MessageCodec.decode(SpecDocument.self, from: latest.resolved, format: .json)
        let remaining = owned.values.filter { $0.desiredState != "deleted" }
        guard !remaining.isEmpty else {
            return SpecResponse(id: specID, createdAt: latest.createdAt, version: latest.version,
                                annotations: previous.annotations, spec: previous.spec.redacted())
        }
        let deleted = remaining.map { object -> Object in
            var object = object
            object.desiredState = "deleted"
            return object
        }
        try await refuseDeletingImagesInUse(deleted)
        var document = previous
        document.version = head.latestVersion + 1
        document.spec = VariableMap(previous.spec.map { entry in
            VariableMap.Entry(name: entry.name, object: entry.object.mapObjects { object in
                var object = object
                if object.type != nil { object.desiredState = "deleted" }
                return object
            })
        })
        var answer = try await storeVersion(specID: specID, version: head.latestVersion + 1, document: document,
                                            resolvedDocument: document, objects: deleted)
        // DELETE sets no password: it shows them masked like every read.
        answer.spec = answer.spec.redacted()
        return answer
    }

    /// Writes version `version` of a spec with its changed objects, and the `Spec` message
    /// carrying them; a version that changes nothing is applied at once.
    private func storeVersion(
        specID: Int64, version: Int, document: SpecDocument, resolvedDocument: SpecDocument,
        objects: [Object]
    ) async throws -> SpecResponse {
        let trace = TraceContext.start()
        let record = try Self.versionRecord(document, ResolvedSpec(document: resolvedDocument, objects: objects))
        let message = SpecMessage(id: specID, version: version, annotations: document.annotations, spec: objects)
        let createdAt: Date
        do {
            createdAt = try await store.withTransaction { tx in
                let createdAt = try await tx.appendVersion(
                    specID: specID, version: version, record,
                    outbox: objects.isEmpty ? [] : [OutboxMessage(SchedulerClient.spec(message, trace: trace))])
                // Keep what agents filled in (url, bridge, hw_addr) in the stored objects, as
                // they are when this transaction writes them.
                let (nodes, edges) = try Self.graphRecords(objects, specID: specID)
                try await tx.upsertNodes(nodes, preservingObjectKeys: Self.observedKeys)
                try await tx.upsertEdges(edges)
                try await tx.acceptPlacements(nodes.map(\.id), specID: specID, version: version)
                var events = [Event(specID: specID, version: version, kind: .accepted,
                                    message: "version \(version) accepted with \(objects.count) changed objects")]
                for superseded in try await tx.supersedeVersions(specID: specID, before: version) {
                    events.append(Event(specID: specID, version: superseded, kind: .superseded,
                                        message: "version \(superseded) superseded by version \(version) before it settled"))
                }
                if objects.isEmpty {
                    try await tx.setState(.applied, specID: specID, version: version)
                    events.append(Event(specID: specID, version: version, kind: .applied,
                                        message: "version \(version) applied: it changes no object"))
                }
                try await tx.appendEvents(events)
                return createdAt
            }
        } catch StoreError.versionConflict(_, let expected, let actual) {
            throw Self.staleVersion(specID, replaces: expected, latest: actual)
        }
        logger.info("spec version accepted", metadata: [
            "spec_id": "\(specID)", "version": "\(version)", "changed_objects": "\(objects.count)",
            "trace_id": "\(trace.traceID)",
        ])
        return SpecResponse(id: specID, createdAt: createdAt, version: version,
                            annotations: document.annotations, spec: resolvedDocument.spec)
    }

    /// One version as it was stored (`GET /api/spec/{id}/versions/{v}`), VNC passwords masked.
    public func version(specID: Int64, version: Int?) async throws -> SpecResponse {
        guard let record = try await store.specVersion(specID, version: version) else {
            throw APIError.notFound(version.map { "version \($0) of spec \(specID)" } ?? "spec \(specID)")
        }
        let document = try MessageCodec.decode(SpecDocument.self, from: record.resolved, format: .json)
        return SpecResponse(id: specID, createdAt: record.createdAt, version: record.version,
                            annotations: document.annotations, spec: document.spec.redacted())
    }

    /// The latest version with each object's progress from the event log (`GET /api/spec/{id}`).
    public func status(specID: Int64) async throws -> SpecStatus {
        guard let head = try await store.spec(specID),
              let record = try await store.specVersion(specID, version: head.latestVersion)
        else { throw APIError.notFound("spec \(specID)") }
        let document = try MessageCodec.decode(SpecDocument.self, from: record.resolved, format: .json)
        let events = try await store.events(specID: specID).filter { $0.version <= record.version }
        let graph = try await store.graph(specID: specID)
        let agents = Dictionary(graph.edges.filter { $0.relation == Relation.scheduled }.map { ($0.source, $0.target) },
                                uniquingKeysWith: { _, last in last })
        let nodes = graph.nodes.filter { $0.specID == specID }
        let rounds = try await store.withTransaction { tx in try await tx.placements(nodes.map(\.id)) }
        var eventsByObject: [UUID: [Event]] = [:]
        for event in events {
            if let objectID = event.objectID { eventsByObject[objectID, default: []].append(event) }
        }
        let objects = nodes.map { node in
            ObjectProgress(node: node, events: eventsByObject[node.id] ?? [], round: rounds[node.id],
                           currentVersion: record.version, agent: agents[node.id])
        }
        return SpecStatus(
            id: specID, version: record.version, createdAt: record.createdAt, state: record.state.rawValue,
            reason: record.reason, annotations: document.annotations, spec: document.spec.redacted(),
            objects: objects.sorted { ($0.type, $0.name, $0.id.description) < ($1.type, $1.name, $1.id.description) },
            events: events.filter { $0.objectID == nil && $0.version == record.version }.map(SpecStatus.SpecEvent.init)
        )
    }

    // MARK: - Images in use

    /// Refuses (409) a version that would delete an image some volume still depends on through
    /// ``Messages/Relation/volumeImage`` and keeps: its file is the backing file of that volume's
    /// overlay. Volumes the same version deletes, or moves off the image, do not count.
    ///
    /// Checked against the graph before the version's transaction: a volume added by another
    /// request in between is not seen (the volumer then keeps the cached file, docs/images.md).
    func refuseDeletingImagesInUse(_ objects: [Object]) async throws {
        let images = objects.filter { $0.type == .image && $0.desiredState == "deleted" }.compactMap(\.id)
        guard !images.isEmpty else { return }
        let changed = Dictionary(objects.compactMap { object in object.id.map { ($0, object) } },
                                 uniquingKeysWith: { _, last in last })
        var refusals: [String] = []
        var problems: [FieldProblem] = []
        for image in images {
            let graph = try await store.subgraph(from: image.uuid, depth: 1, direction: .incoming)
            let nodes = Dictionary(graph.nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var users: [String] = []
            for edge in graph.edges where edge.target == image.uuid && edge.relation == Relation.volumeImage {
                guard let node = nodes[edge.source] else { continue }
                let volume = ObjectID(edge.source)
                if let now = changed[volume] {
                    let removed = ["deleted", "destroyed"].contains(now.desiredState ?? "")
                    let keepsImage = now.dependencies(relation: Relation.volumeImage).contains { $0.object.id == image }
                    if removed || !keepsImage { continue }
                } else if ["deleted", "destroyed"].contains(node.desiredState ?? "") {
                    continue
                }
                users.append("\(node.name.isEmpty ? "volume" : "volume '\(node.name)'") \(volume)"
                    + (node.specID.map { " of spec \($0)" } ?? ""))
            }
            guard !users.isEmpty else { continue }
            let name = nodes[image.uuid].map { $0.name.isEmpty ? "image" : "image '\($0.name)'" } ?? "image"
            refusals.append("\(name) \(image) is in use by \(users.sorted().joined(separator: ", "))")
            problems.append(FieldProblem(path: "spec", message: "\(name) \(image) is used by \(users.count) volume(s)"))
        }
        guard !refusals.isEmpty else { return }
        throw APIError(status: .conflict, message: refusals.joined(separator: "; ") + ". An image cannot be deleted while "
            + "volumes are made from it: delete those volumes (or their specs) first", problems: problems)
    }

    // MARK: - Resolution against the graph

    /// Gathers what the document references from the graph, then resolves it.
    func resolve(_ document: SpecDocument, specID: Int64?) async throws -> ResolvedSpec {
        var ids = Set<ObjectID>()
        for entry in document.spec {
            entry.object.walk { object, _ in
                if let id = object.id { ids.insert(id) }
            }
        }
        var existing: [ObjectID: ExistingResource] = [:]
        for id in ids {
            if let resource = try await existingResource(id) { existing[id] = resource }
        }
        // A changed resource keeps its dependencies, which must resolve too.
        for resource in Array(existing.values) {
            for dependency in resource.object.dependencies ?? [] {
                guard let id = dependency.object.id, existing[id] == nil else { continue }
                if let found = try await existingResource(id) { existing[id] = found }
            }
        }
        var held: [ObjectID: [IPv4Address: ObjectID]] = [:]
        for (id, resource) in existing where resource.object.type == .networkVLAN {
            let neighbours = try await store.subgraph(from: id.uuid, depth: 1, direction: .incoming)
            for node in neighbours.nodes where node.type == ObjectType.nic.rawValue && node.desiredState != "deleted" {
                guard let nic = try? MessageCodec.decode(Object.self, from: node.object, format: .json) else { continue }
                for text in nic.ipAddresses ?? [] {
                    if let address = IPv4Address(text) { held[id, default: [:]][address] = ObjectID(node.id) }
                }
            }
        }
        // Images named by a dependency (`object: {name: debian}`), with their objects, so the
        // relation rules see what the name found.
        var imagesByName: [String: [ObjectID]] = [:]
        var names = Set<String>()
        for entry in document.spec {
            entry.object.walk { object, _ in
                for dependency in object.dependencies ?? [] where dependency.object.type == nil && dependency.object.id == nil
                    && dependency.object.variable == nil {
                    if let name = dependency.object.name { names.insert(name) }
                }
            }
        }
        if !names.isEmpty {
            for node in try await store.nodes(types: [ObjectType.image.rawValue])
            where node.desiredState != "deleted" && names.contains(node.name) {
                let id = ObjectID(node.id)
                imagesByName[node.name, default: []].append(id)
                if existing[id] == nil {
                    existing[id] = ExistingResource(object: try MessageCodec.decode(Object.self, from: node.object, format: .json),
                                                    specID: node.specID)
                }
            }
        }
        let context = ResolutionContext(existing: existing, heldAddresses: held, imagesByName: imagesByName, specID: specID,
                                        limits: limits)
        switch SpecResolver.resolve(document, context: context) {
        case .success(let resolved): return resolved
        case .failure(let error): throw APIError.invalid(error, status: .unprocessableContent)
        }
    }

    private func existingResource(_ id: ObjectID) async throws -> ExistingResource? {
        guard let node = try await store.node(id.uuid) else { return nil }
        let object = try MessageCodec.decode(Object.self, from: node.object, format: .json)
        return ExistingResource(object: object, specID: node.specID)
    }

    /// The objects a spec owns now, as stored in the graph.
    func ownedObjects(_ specID: Int64) async throws -> [ObjectID: Object] {
        var result: [ObjectID: Object] = [:]
        for node in try await store.graph(specID: specID).nodes where node.specID == specID {
            var object = try MessageCodec.decode(Object.self, from: node.object, format: .json)
            object.desiredState = node.desiredState ?? object.desiredState
            result[ObjectID(node.id)] = object
        }
        return result
    }

    // MARK: - Records

    static func versionRecord(_ document: SpecDocument, _ resolved: ResolvedSpec) throws -> NewSpecVersion {
        NewSpecVersion(
            annotations: MessageCodec.encodeString(document.annotations ?? Annotations(), format: .json),
            submitted: MessageCodec.encodeString(document, format: .json),
            resolved: MessageCodec.encodeString(resolved.document, format: .json)
        )
    }

    /// Graph nodes for `objects` and edges for their dependencies.
    static func graphRecords(_ objects: [Object], specID: Int64) throws -> ([GraphNode], [GraphEdge]) {
        var nodes: [GraphNode] = []
        var edges: [GraphEdge] = []
        for object in objects {
            guard let id = object.id, let type = object.type else { continue }
            nodes.append(GraphNode(id: id.uuid, type: type.rawValue, name: object.name ?? "", specID: specID,
                                   desiredState: object.desiredState,
                                   object: MessageCodec.encodeString(object, format: .json)))
            for dependency in object.dependencies ?? [] {
                guard let target = dependency.object.id else { continue }
                edges.append(GraphEdge(source: id.uuid, target: target.uuid, relation: dependency.property.relation,
                                       properties: MessageCodec.encodeString(dependency.property, format: .json),
                                       specID: specID))
            }
        }
        return (nodes, edges)
    }

    /// What the user controls of an object: everything but the fields agents fill in.
    static func desired(_ object: Object) -> Object {
        var object = object
        object.url = nil
        object.bridge = nil
        object.hwAddr = nil
        object.vncAddress = nil
        return object
    }

    /// The object keys agents and the scheduler fill in, kept in stored objects when a new
    /// version rewrites them (``Store/StoreTransaction/upsertNodes(_:preservingObjectKeys:)``).
    static let observedKeys = ["url", "bridge", "hw_addr", "vnc_address"]

    /// `POST` makes a new spec, whose id and time the API gives: a document carrying them was
    /// read from an existing spec, which `PUT` changes.
    static func refuseReadOnlyFields(of document: SpecDocument) throws {
        var problems: [FieldProblem] = []
        if let id = document.id {
            problems.append(FieldProblem(path: "id", message: "is read-only: a new spec gets its id from the API; to "
                + "change spec \(id), send this document with PUT /api/spec/\(id)"))
        }
        if document.createdAt != nil {
            problems.append(FieldProblem(path: "created_at", message: "is read-only: the API sets it; leave it out"))
        }
        guard problems.isEmpty else { throw APIError.invalid(DocumentError(problems: problems), status: .unprocessableContent) }
    }

    /// `PUT`'s read-only fields must be what `GET` showed for the version replaced: this spec's
    /// id and that version's time (to the millisecond answers show); they are then ignored.
    static func checkReadOnlyFields(of document: SpecDocument, specID: Int64, replaced: SpecVersionRecord?) throws {
        var problems: [FieldProblem] = []
        if let id = document.id, id != specID {
            problems.append(FieldProblem(path: "id", message: "is \(id), but this is spec \(specID): send the document to "
                + "PUT /api/spec/\(id), or leave `id` out"))
        }
        if let createdAt = document.createdAt, let replaced, abs(createdAt.timeIntervalSince(replaced.createdAt)) >= 0.001 {
            problems.append(FieldProblem(path: "created_at", message: "is read-only and is not when version \(replaced.version) "
                + "was stored (\(Timestamp.format(replaced.createdAt))); send the version as read, or leave `created_at` out"))
        }
        guard problems.isEmpty else { throw APIError.invalid(DocumentError(problems: problems), status: .unprocessableContent) }
    }

    static func staleVersion(_ specID: Int64, replaces: Int, latest: Int) -> APIError {
        APIError(status: .conflict, message: "spec \(specID) is at version \(latest); this document replaces version \(replaces). Read the latest version, apply your change to it, and send it with version: \(latest)")
    }
}

extension EventKind {
    /// A spec version was stored and handed to the scheduler.
    static let accepted: EventKind = "ACCEPTED"
}

extension VariableMap {
    /// A copy with every VNC password masked, for reads after the create response.
    func redacted() -> VariableMap {
        VariableMap(map { VariableMap.Entry(name: $0.name, object: $0.object.mapObjects { $0.redacted() }) })
    }

    /// A copy with the VNC passwords of the objects `ids` masked (those a request kept rather
    /// than set).
    func redacting(_ ids: Set<ObjectID>) -> VariableMap {
        guard !ids.isEmpty else { return self }
        return VariableMap(map { entry in
            VariableMap.Entry(name: entry.name, object: entry.object.mapObjects { object in
                object.id.map(ids.contains) == true ? object.redacted() : object
            })
        })
    }
}
