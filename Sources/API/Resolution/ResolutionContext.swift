import Messages

/// A resource that exists already, as the graph holds it, for documents that name it by `id`.
public struct ExistingResource: Sendable, Hashable {
    public var object: Object
    /// The spec that owns it; nil for resources no spec owns.
    public var specID: Int64?

    public init(object: Object, specID: Int64?) {
        self.object = object
        self.specID = specID
    }
}

/// Bounds on a document, so one request cannot make the API or the scheduler do unbounded work.
public struct SpecLimits: Sendable, Hashable {
    /// Objects in one document, inline and top-level together.
    public var maxObjects: Int
    /// How deep objects may nest inside `dependencies`.
    public var maxDepth: Int

    public init(maxObjects: Int = 512, maxDepth: Int = 8) {
        self.maxObjects = maxObjects
        self.maxDepth = maxDepth
    }
}

/// Everything outside the document that resolution needs, gathered by the API beforehand so
/// resolution itself is a pure function.
public struct ResolutionContext: Sendable {
    /// Resources the document references by `id`, found in the graph.
    public var existing: [ObjectID: ExistingResource]
    /// Fixed addresses that NICs outside this document hold, per network.
    public var heldAddresses: [ObjectID: [IPv4Address: ObjectID]]
    /// The spec a `PUT` replaces: its own resources may be changed.
    public var specID: Int64?
    public var limits: SpecLimits
    /// Makes new object ids (random in service, fixed in tests).
    public var makeID: @Sendable () -> ObjectID

    public init(
        existing: [ObjectID: ExistingResource] = [:],
        heldAddresses: [ObjectID: [IPv4Address: ObjectID]] = [:],
        specID: Int64? = nil,
        limits: SpecLimits = SpecLimits(),
        makeID: @escaping @Sendable () -> ObjectID = { ObjectID() }
    ) {
        self.existing = existing
        self.heldAddresses = heldAddresses
        self.specID = specID
        self.limits = limits
        self.makeID = makeID
    }
}

/// A document after resolution.
public struct ResolvedSpec: Sendable, Hashable {
    /// The document as the user wrote it, with ids, names and desired states filled in
    /// (the answer to `POST`, seed 1.2). Variable references stay as written.
    public var document: SpecDocument
    /// Every object the spec owns, flattened, dependencies by `id` only (the `Spec` message, seed 3).
    public var objects: [Object]
    /// Objects whose `vnc_password` or `user_data` the document sent back masked and which keep the stored
    /// one: answers show them masked, since this request did not set them.
    public var keptSecrets: Set<ObjectID>

    public init(document: SpecDocument, objects: [Object], keptSecrets: Set<ObjectID> = []) {
        self.document = document
        self.objects = objects
        self.keptSecrets = keptSecrets
    }
}
