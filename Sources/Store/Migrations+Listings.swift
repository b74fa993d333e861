extension Migrations {
    /// Migration 7: `GET /api/spec?state=…` reads specs of one state newest first; without an
    /// index on `(state, id)` a rare state would walk every spec to fill a page.
    static let listings = Migration(
        version: 7,
        name: "specs by state",
        statements: [
            "CREATE INDEX specs_state ON specs (state, id)",
        ]
    )
}
