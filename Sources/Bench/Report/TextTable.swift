import Foundation

/// A plain-text table: the first column left-aligned, the others right-aligned (they are
/// figures), columns separated by two spaces, a rule under the header.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: String...) {
        self.header = header
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    func render(indent: String = "  ") -> String {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ row: [String]) -> String {
            var cells: [String] = []
            for index in 0..<columns {
                let cell = index < row.count ? row[index] : ""
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                cells.append(index == 0 ? cell + pad : pad + cell)
            }
            var text = indent + cells.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        let rule = indent + String(repeating: "-", count: widths.reduce(0, +) + 2 * max(0, columns - 1))
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

/// Numbers as the table prints them.
enum Figure {
    /// Milliseconds: three decimals below 10, two below 100, one above.
    static func ms(_ value: Double) -> String {
        switch abs(value) {
        case ..<10: fixed(value, 3)
        case ..<100: fixed(value, 2)
        default: fixed(value, 1)
        }
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func mib(_ kib: Int) -> String {
        fixed(Double(kib) / 1024, 1)
    }
}
