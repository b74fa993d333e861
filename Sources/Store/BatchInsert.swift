import PostgresNIO

/// A multi-row `VALUES` list for one statement per batch instead of one per row: the graph and
/// the event log are written several rows at a time on the hot path.
///
/// Only placeholders (`$1`, `$2::jsonb`) are generated here; every value goes into `binds`, so no
/// value is ever spliced into SQL text.
struct BatchInsert {
    /// At most this many rows per statement, far below PostgreSQL's 65,535 parameters.
    static let rowsPerStatement = 500

    /// A cast per column (`""` for none, `"::jsonb"` for a JSON text column).
    let casts: [String]
    private(set) var binds = PostgresBindings()
    private var rows: [String] = []

    init(casts: [String]) {
        self.casts = casts
    }

    /// Adds one row; `values` appends exactly one bind per column, in column order.
    mutating func addRow(_ values: (inout PostgresBindings) throws -> Void) rethrows {
        let first = binds.count
        try values(&binds)
        precondition(binds.count - first == casts.count, "a row must bind one value per column")
        let placeholders = casts.indices.map { "$\(first + $0 + 1)\(casts[$0])" }
        rows.append("(" + placeholders.joined(separator: ", ") + ")")
    }

    /// `prefix VALUES (...), (...) suffix`, ready to run.
    func query(_ prefix: String, _ suffix: String = "") -> PostgresQuery {
        PostgresQuery(unsafeSQL: "\(prefix) VALUES \(rows.joined(separator: ", ")) \(suffix)", binds: binds)
    }

    /// Splits `elements` into statement-sized chunks.
    static func chunks<Element>(_ elements: [Element]) -> [ArraySlice<Element>] {
        stride(from: 0, to: elements.count, by: rowsPerStatement).map {
            elements[$0..<min($0 + rowsPerStatement, elements.count)]
        }
    }
}
