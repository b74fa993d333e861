/// One step of the schema's history, kept in code so every daemon brings the database up to the
/// schema it was built for when it starts (``Store/migrate(_:)``).
///
/// A migration is never edited once released: a change to the schema is a new migration with the
/// next version. `statements` run in order in one transaction (PostgreSQL's extended protocol takes
/// one statement at a time, hence a list rather than one script).
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
