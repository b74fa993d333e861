import Foundation

/// Rows under a header, each column as wide as its widest cell, two spaces apart; lines carry
/// no trailing blanks (an empty or short last cell adds none).
public struct Table: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: [String]) {
        self.header = header
    }

    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    public func render() -> String {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            var line = row.enumerated().map { index, cell in
                cell.padding(toLength: index < widths.count ? widths[index] : cell.count, withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n") + "\n"
    }
}
