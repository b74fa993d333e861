/// Each object's latest progress while one version of a spec is followed: seeded from
/// `GET /api/spec/{id}`, then moved on by the events of that version as they arrive.
public struct SpecProgress: Sendable {
    public let version: Int
    private var order: [String] = []
    private var byID: [String: ObjectProgressLine] = [:]
    private var idByName: [String: String] = [:]

    public init(version: Int) {
        self.version = version
    }

    public var lines: [ObjectProgressLine] { order.compactMap { byID[$0] } }

    /// Every object as the status report shows it (the report is of the latest version; an
    /// object that version left unchanged keeps the progress of the version that applied it).
    public mutating func update(from status: SpecStatusView) {
        for object in status.objects {
            let detail = object.message ?? object.agent.map { "on agent \($0)" } ?? ""
            set(ObjectProgressLine(name: object.label, type: object.type, progress: object.progress, detail: detail,
                                   objectID: object.id), id: object.id)
        }
    }

    /// Moves an object on by one of its events; false when the event changes no line (another
    /// version's, the spec's own, or an abandoned attempt, which is history rather than progress).
    @discardableResult
    public mutating func apply(_ event: SpecEvent) -> Bool {
        guard event.version == version, event.kind != "ABANDONED" else { return false }
        guard let id = event.objectID ?? event.objectName.flatMap({ idByName[$0] }) ?? event.objectName else { return false }
        let known = byID[id]
        let named = event.objectName.flatMap { $0.isEmpty ? nil : $0 }
        let line = ObjectProgressLine(name: known?.name ?? named ?? id, type: known?.type ?? "",
                                      progress: event.kind, detail: event.message, objectID: id)
        guard line != known else { return false }
        set(line, id: id)
        return true
    }

    private mutating func set(_ line: ObjectProgressLine, id: String) {
        if byID[id] == nil { order.append(id) }
        byID[id] = line
        idByName[line.name] = id
    }
}
