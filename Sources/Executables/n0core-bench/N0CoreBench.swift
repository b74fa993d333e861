import ArgumentParser
import Bench
import Foundation

/// `n0core-bench`: the control plane's benchmarks (design §7). `deploy/bench.sh` runs both on
/// a system of its own; see docs/performance.md.
@main
struct N0CoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "n0core-bench",
        abstract: "Benchmarks of the n0core control plane: load against a running system, placement, and fault injection.",
        subcommands: [LoadCommand.self, PlacementCommand.self, ChaosCommand.self]
    )
}

/// Writes the report as JSON (when asked) and prints its table.
func publish(_ report: BenchReport, json path: String?) throws {
    var report = report
    report.targets = Targets.evaluate(report)
    if let path {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try report.json().write(to: url)
    }
    FileHandle.standardOutput.write(Data(ReportTable.render(report).utf8))
}
