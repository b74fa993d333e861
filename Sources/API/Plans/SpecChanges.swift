import Foundation
import Messages
import Scheduler

/// Compares the objects a spec has with those a version would give it. Pure, so plans and diffs
/// agree, and testable without a database.
enum SpecChanges {
    /// `after`'s objects against `before`'s (both flattened, dependencies by id), in `after`'s
    /// order, then those `after` leaves out. An object driven to `deleted` (or left out while not
    /// deleted already) is a `delete`; one not in `before` a `create`.
    static func compare(before: [ObjectID: Object], after: [Object]) -> [ObjectChange] {
        var changes: [ObjectChange] = []
        var seen = Set<ObjectID>()
        for object in after {
            guard let id = object.id, let type = object.type, seen.insert(id).inserted else { continue }
            let name = object.name ?? ""
            guard let old = before[id] else {
                changes.append(ObjectChange(name: name, id: id, type: type.rawValue, action: .create))
                continue
            }
            let fields = changedFields(comparable(old), comparable(object))
            let action: ObjectAction
            if fields.isEmpty {
                action = .unchanged
            } else if object.isBeingRemoved && !old.isBeingRemoved {
                action = .delete
            } else {
                action = .change
            }
            changes.append(ObjectChange(name: name, id: id, type: type.rawValue, action: action,
                                        changedFields: action == .change ? fields : []))
        }
        for (id, old) in before.sorted(by: { $0.key < $1.key }) where !seen.contains(id) && !old.isBeingRemoved {
            changes.append(ObjectChange(name: old.name ?? "", id: id, type: old.type?.rawValue ?? "", action: .delete))
        }
        return changes
    }

    /// What the user asks for: without the fields agents fill in, dependencies by id. Secrets
    /// are compared as they are; only the names of changed fields are ever shown.
    static func comparable(_ object: Object) -> Object {
        var object = SpecService.desired(object)
        object.dependencies = object.dependencies?.map { dependency in
            var dependency = dependency
            if let id = dependency.object.id { dependency.object = Object(id: id) }
            return dependency
        }
        return object
    }

    /// The top-level keys whose JSON differs.
    static func changedFields(_ old: Object, _ new: Object) -> [String] {
        let before = fields(old), after = fields(new)
        return Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
    }

    /// Each top-level key's value as canonical JSON text.
    static func fields(_ object: Object) -> [String: String] {
        let data = MessageCodec.encode(object, format: .json)
        guard let map = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return map.mapValues { value in
            let encoded = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
            return encoded.map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    /// Every object of a stored document (its variables' objects and what they embed), each with
    /// its dependencies by id, by id.
    static func objects(of document: SpecDocument) -> [ObjectID: Object] {
        var result: [ObjectID: Object] = [:]
        for entry in document.spec {
            for object in entry.object.allObjects {
                guard let id = object.id, object.type != nil else { continue }
                result[id] = result[id] ?? object
            }
        }
        return result
    }
}
