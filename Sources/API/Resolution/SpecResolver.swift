import Messages

/// Turns a submitted document into a resolved spec: ids assigned, defaults filled, every
/// reference followed, every rule checked. Pure: what it needs from the database comes in the
/// ``ResolutionContext``, so each rule is unit-tested without I/O.
///
/// It reports every problem it finds, not just the first, each with the path of its field, so a
/// user fixes a document in one round trip.
public struct SpecResolver {
    private let context: ResolutionContext
    private var problems: [FieldProblem] = []
    /// Full objects of the document by id, with where they stand.
    private var sites: [ObjectID: (path: String, object: Object)] = [:]
    private var siteOrder: [ObjectID] = []
    private var variables: [String: ObjectID] = [:]
    /// Objects the document changes by `id` reference (fields beside the id), merged.
    private var changed: [ObjectID: (path: String, object: Object)] = [:]
    private var changedOrder: [ObjectID] = []
    /// Objects with a dependency that did not resolve; rules about their dependencies would
    /// only repeat that problem, so they are skipped.
    private var unresolved: Set<ObjectID> = []
    /// VMs whose `vnc_password` or `user_data` came back as the mask: they keep the stored one.
    private var keptSecrets: Set<ObjectID> = []

    /// Resolves `document`, or gives every problem found.
    public static func resolve(_ document: SpecDocument, context: ResolutionContext) -> Result<ResolvedSpec, DocumentError> {
        var resolver = SpecResolver(context: context)
        let resolved = resolver.run(document)
        if resolver.problems.isEmpty {
            return .success(resolved)
        }
        return .failure(DocumentError(problems: resolver.problems))
    }

    private init(context: ResolutionContext) {
        self.context = context
    }

    private mutating func problem(_ path: String, _ message: String) {
        problems.append(FieldProblem(path: path, message: message))
    }

    private mutating func run(_ document: SpecDocument) -> ResolvedSpec {
        var resolvedDocument = document
        checkAnnotations(document.annotations)
        if let version = document.version, version < 0 {
            problem("version", "must be 0 or more, not \(version)")
        }
        if document.spec.isEmpty {
            problem("spec", "names no objects; write at least one under a variable name")
        }

        // Pass 1: ids, names and desired states; index every full object.
        var entries: [VariableMap.Entry] = []
        var objectCount = 0
        for entry in document.spec {
            let path = "spec.\(entry.name)"
            if entry.object.isReference {
                problem(path, "a top-level variable must define an object (with `type`), not reference one")
                entries.append(entry)
                continue
            }
            let object = assign(entry.object, path: path, variable: entry.name, depth: 1, count: &objectCount)
            if let id = object.id { variables[entry.name] = id }
            entries.append(VariableMap.Entry(name: entry.name, object: object))
        }
        if objectCount > context.limits.maxObjects {
            problem("spec", "has \(objectCount) objects; at most \(context.limits.maxObjects) are allowed in one document")
        }
        resolvedDocument.spec = VariableMap(entries)
        checkPinnedApart(document.annotations)

        // Pass 2: references and relations, now that every variable has an id.
        var edges: [ObjectID: [(target: ObjectID, property: DependencyProperty, path: String)]] = [:]
        for id in siteOrder {
            guard let site = sites[id] else { continue }
            edges[id] = resolveDependencies(of: site.object, id: id, path: site.path)
        }
        for id in changedOrder {
            guard let site = changed[id] else { continue }
            edges[id] = resolveDependencies(of: site.object, id: id, path: site.path)
        }
        checkCycles(edges)

        // The flat list: each object once, dependencies by id only.
        var flat: [Object] = []
        for id in siteOrder + changedOrder {
            guard var object = sites[id]?.object ?? changed[id]?.object else { continue }
            object.dependencies = edges[id].map { list in
                list.map { Dependency(object: .reference($0.target), property: $0.property) }
            }
            if object.dependencies?.isEmpty == true { object.dependencies = nil }
            flat.append(object)
        }

        var validator = ObjectValidator(context: context, lookup: lookup)
        for object in flat {
            guard let id = object.id, let path = sites[id]?.path ?? changed[id]?.path else { continue }
            validator.validate(object, path: path, dependencyPaths: edges[id]?.map(\.path) ?? [],
                               dependenciesResolved: !unresolved.contains(id))
        }
        problems += validator.problems
        return ResolvedSpec(document: resolvedDocument, objects: flat, keptSecrets: keptSecrets)
    }

    /// The full object with `id`, from this document or the graph.
    private func lookup(_ id: ObjectID) -> Object? {
        changed[id]?.object ?? sites[id]?.object ?? context.existing[id]?.object
    }

    private mutating func checkAnnotations(_ annotations: Annotations?) {
        guard let annotations else { return }
        for flag in [Annotations.sameHost, Annotations.differentHost] {
            if let value = annotations[flag], case .bool = value {} else if annotations[flag] != nil {
                problem("annotations.\(flag)", "must be true or false")
            }
        }
        if annotations[Annotations.sameHost] == .bool(true) && annotations[Annotations.differentHost] == .bool(true) {
            problem("annotations.\(Annotations.differentHost)",
                    "cannot be true while annotations.\(Annotations.sameHost) is true: one host for the whole spec and "
                        + "a host of its own for each VM contradict each other; set one of them to false")
        }
        if let hostID = annotations[Annotations.hostID] {
            if case .string(let text) = hostID, ObjectID(text) != nil {} else {
                problem("annotations.\(Annotations.hostID)", "must be a host id (a UUID)")
            }
        }
        if annotations[Annotations.rescheduling] != nil {
            problem("annotations.\(Annotations.rescheduling)", "is set by the conductor, not by users")
        }
        // The scheduler's own instructions (agents to avoid, a host being drained) come only
        // from n0core's services: from a user they would move or misplace objects.
        for key in annotations.values.keys.sorted()
        where key.hasPrefix(Annotations.serviceNamespace) && key != Annotations.rescheduling {
            problem("annotations.\(key)", "is set by n0core's services, not by users")
        }
    }

    /// `host_id` puts every VM on that one host, so under `different_host` the spec can hold one
    /// VM only: with more, it could never be placed.
    private mutating func checkPinnedApart(_ annotations: Annotations?) {
        guard let annotations, annotations[Annotations.differentHost] == .bool(true),
              case .string(let host)? = annotations[Annotations.hostID] else { return }
        let vms = siteOrder.filter { sites[$0]?.object.type == .vmKVM && sites[$0]?.object.desiredState != "deleted" }
        guard vms.count > 1 else { return }
        problem("annotations.\(Annotations.differentHost)",
                "cannot be true while annotations.\(Annotations.hostID) pins the spec to host \(host): "
                    + "its \(vms.count) VMs would need \(vms.count) different hosts; drop one of the two annotations")
    }

    /// Assigns ids and defaults to `object` and the objects inline in it, recording each.
    private mutating func assign(_ object: Object, path: String, variable: String?, depth: Int, count: inout Int) -> Object {
        if depth > context.limits.maxDepth {
            problem(path, "nests deeper than \(context.limits.maxDepth) levels")
            return object
        }
        var object = object
        keepMaskedSecret(&object, path: path)
        if let type = object.type {
            count += 1
            if type.isAgent {
                problem("\(path).type", "agents join by themselves; '\(type.rawValue)' cannot be created by a spec")
            }
            if let id = object.id {
                if let existing = context.existing[id] {
                    if existing.object.type != type {
                        problem("\(path).id", "object \(id) is a \(existing.object.type?.rawValue ?? "reference"), not a \(type.rawValue)")
                    }
                    checkOwnership(id, existing: existing, path: "\(path).id")
                } else {
                    problem("\(path).id", "object \(id) does not exist; leave `id` out to create a new object")
                }
            } else {
                object.id = context.makeID()
            }
            if object.name == nil, let variable { object.name = variable }
            if object.desiredState == nil { object.desiredState = type.defaultDesiredState }
            if type == .vmKVM, object.arch == nil { object.arch = "amd64" }
        } else if object.variable == nil, let id = object.id, object.hasChanges {
            // `id: X` with fields beside it: a change to that resource.
            if let existing = context.existing[id] {
                checkOwnership(id, existing: existing, path: "\(path).id")
                if changed[id] == nil { changedOrder.append(id) }
                changed[id] = (path, existing.object.applying(changes: object))
            }
        }
        if var dependencies = object.dependencies {
            for index in dependencies.indices {
                dependencies[index].object = assign(dependencies[index].object, path: "\(path).dependencies[\(index)].object",
                                                    variable: nil, depth: depth + 1, count: &count)
            }
            object.dependencies = dependencies
        }
        if object.type != nil, let id = object.id {
            if sites[id] != nil {
                problem("\(path).id", "object \(id) appears twice in the document")
            } else {
                sites[id] = (path, object)
                siteOrder.append(id)
            }
        }
        return object
    }

    /// A `vnc_password` or `user_data` sent back as the mask answers show
    /// (``Object/passwordMask``) means "keep the stored one" (a read version sent back
    /// unchanged); it is never stored as the secret. Only an object that exists has one to keep.
    private mutating func keepMaskedSecret(_ object: inout Object, path: String) {
        let masked = (password: object.vncPassword == Object.passwordMask, userData: object.userData == Object.passwordMask)
        guard masked.password || masked.userData else { return }
        if let id = object.id, object.variable == nil, let existing = context.existing[id] {
            if masked.password { object.vncPassword = existing.object.vncPassword }
            if masked.userData { object.userData = existing.object.userData }
            keptSecrets.insert(id)
        } else if object.id == nil {
            if masked.password {
                problem("\(path).vnc_password", "'\(Object.passwordMask)' is what answers show in place of a stored password, "
                    + "so it cannot be one; give a new VM its own password")
            }
            if masked.userData {
                problem("\(path).user_data", "'\(Object.passwordMask)' is what answers show in place of stored user-data, "
                    + "so it cannot be user-data; give a new VM its own")
            }
        }
        // An `id` that does not exist is reported where it is checked.
    }

    private mutating func checkOwnership(_ id: ObjectID, existing: ExistingResource, path: String) {
        if let owner = existing.specID, owner != context.specID {
            problem(path, "object \(id) belongs to spec \(owner); change it through that spec")
        }
    }

    /// Follows each dependency of `object` to the id it names.
    private mutating func resolveDependencies(of object: Object, id: ObjectID, path: String) -> [(target: ObjectID, property: DependencyProperty, path: String)] {
        var result: [(target: ObjectID, property: DependencyProperty, path: String)] = []
        for (index, dependency) in (object.dependencies ?? []).enumerated() {
            let dependencyPath = "\(path).dependencies[\(index)]"
            let target = dependency.object
            let targetID: ObjectID?
            if let name = target.variable {
                if target.id != nil || target.type != nil || target.hasChanges {
                    problem("\(dependencyPath).object", "a `variable` reference takes no other fields")
                }
                targetID = variables[name]
                if targetID == nil {
                    let known = variables.keys.sorted().joined(separator: ", ")
                    problem("\(dependencyPath).object.variable", "unknown variable '\(name)'; the document defines \(known.isEmpty ? "none" : known)")
                }
            } else if let id = target.id {
                targetID = id
                if target.type == nil, sites[id] == nil, context.existing[id] == nil {
                    problem("\(dependencyPath).object.id", "object \(id) does not exist")
                }
            } else if let name = target.name, target.type == nil, !target.hasChanges(besidesName: true) {
                targetID = imageNamed(name, at: "\(dependencyPath).object.name")
            } else {
                problem("\(dependencyPath).object", "needs `type` (a new object), `variable: NAME` or `id: UUID`")
                targetID = nil
            }
            guard let targetID else {
                unresolved.insert(id)
                continue
            }
            result.append((targetID, dependency.property, dependencyPath))
        }
        return result
    }

    /// The one image called `name`: of this document, or in the graph and not deleted.
    private mutating func imageNamed(_ name: String, at path: String) -> ObjectID? {
        var found = Set(context.imagesByName[name] ?? [])
        for (id, site) in sites where site.object.type == .image && site.object.name == name {
            if site.object.desiredState == "deleted" { found.remove(id) } else { found.insert(id) }
        }
        switch found.count {
        case 1: return found.first
        case 0:
            problem(path, "no image is named '\(name)'; a reference by name finds a resource/image that is not deleted")
        default:
            problem(path, "\(found.count) images are named '\(name)' (\(found.map(\.description).sorted().joined(separator: ", "))); "
                + "name the one you mean by `id`")
        }
        return nil
    }

    private mutating func checkCycles(_ edges: [ObjectID: [(target: ObjectID, property: DependencyProperty, path: String)]]) {
        enum Mark { case visiting, done }
        var marks: [ObjectID: Mark] = [:]
        var reported = false
        func visit(_ id: ObjectID, _ trail: [String]) {
            guard !reported else { return }
            switch marks[id] {
            case .done: return
            case .visiting:
                reported = true
                problem(trail.last ?? "spec", "reference cycle: \(trail.joined(separator: " → "))")
                return
            case nil: break
            }
            marks[id] = .visiting
            for edge in edges[id] ?? [] {
                visit(edge.target, trail + [edge.path])
            }
            marks[id] = .done
        }
        for id in siteOrder + changedOrder { visit(id, []) }
    }
}
