import Foundation
import Messages
import Scheduler
import Store

extension SpecService {
    /// `POST /api/spec?dry_run=true`: every check `POST` makes, then the plan.
    func planCreation(_ submitted: SpecDocument, placement previewer: PlacementPreviewer) async throws -> SpecPlan {
        let (document, resolved) = try await creation(submitted)
        let changes = SpecChanges.compare(before: [:], after: resolved.objects)
        return try await plan(specID: nil, version: StoreTransaction.firstVersion, annotations: document.annotations,
                              sending: resolved.objects, changes: changes, previewer: previewer)
    }

    /// `PUT /api/spec/{id}?dry_run=true`: every check `PUT` makes, then the plan.
    func planReplacement(specID: Int64, with submitted: SpecDocument, placement previewer: PlacementPreviewer) async throws -> SpecPlan {
        let replacement = try await replacement(specID: specID, with: submitted)
        let changes = SpecChanges.compare(before: replacement.owned, after: replacement.resolved.objects)
        return try await plan(specID: specID, version: replacement.replaces + 1, annotations: replacement.document.annotations,
                              sending: replacement.changed, changes: changes, previewer: previewer)
    }

    /// `GET /api/spec/{id}/diff?from=V&to=W`: what version `to` changed against version `from`.
    func diff(specID: Int64, from: Int, to: Int) async throws -> SpecDiff {
        guard try await store.spec(specID) != nil else { throw APIError.notFound("spec \(specID)") }
        func objects(_ version: Int) async throws -> [ObjectID: Object] {
            guard let record = try await store.specVersion(specID, version: version) else {
                throw APIError.notFound("spec \(specID) version \(version)")
            }
            return SpecChanges.objects(of: try MessageCodec.decode(SpecDocument.self, from: record.resolved, format: .json))
        }
        let before = try await objects(from), after = try await objects(to)
        let ordered = after.values.sorted { Self.sortKey($0) < Self.sortKey($1) }
        return SpecDiff(specID: specID, from: from, to: to,
                        objects: SpecChanges.compare(before: before, after: ordered))
    }

    static func sortKey(_ object: Object) -> String {
        "\(object.type?.rawValue ?? "")\u{0}\(object.name ?? "")\u{0}\(object.id?.description ?? "")"
    }

    /// The changes with where the scheduler would place `sending` (what the version sends it).
    private func plan(
        specID: Int64?, version: Int, annotations: Annotations?, sending: [Object], changes: [ObjectChange],
        previewer: PlacementPreviewer
    ) async throws -> SpecPlan {
        var plan = SpecPlan(specID: specID, version: version, placement: "nothing to place", objects: changes)
        if !sending.isEmpty {
            let outcome = try await previewer.preview(SpecMessage(id: specID ?? 0, version: version, annotations: annotations, spec: sending))
            plan.show(outcome)
        }
        // A new object's id is the resolver's, given for real only when the version is stored.
        for index in plan.objects.indices where plan.objects[index].action == .create { plan.objects[index].id = nil }
        return plan
    }
}
