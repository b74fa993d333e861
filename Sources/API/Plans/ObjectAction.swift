/// What a new version does to one object, as a plan or a diff says it.
struct ObjectAction: RawRepresentable, Hashable, Sendable, Encodable {
    var rawValue: String
    init(rawValue: String) { self.rawValue = rawValue }

    static let create = ObjectAction(rawValue: "create")
    static let change = ObjectAction(rawValue: "change")
    static let delete = ObjectAction(rawValue: "delete")
    static let unchanged = ObjectAction(rawValue: "unchanged")

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
