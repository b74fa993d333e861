import ArgumentParser
import Bench
import Foundation

/// `n0core-bench placement`: the scheduler's placement decision on synthetic fleets; needs no
/// running system.
struct PlacementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement",
        abstract: "Time Placement.place for the seed's spec on fleets of many hosts."
    )

    @Option(help: "Fleet sizes (hosts, three agents each), comma-separated.")
    var hosts = "1000,10000"

    @Option(help: "Placements timed per fleet size (fewer if --budget-seconds runs out).")
    var iterations = 1_000

    @Option(help: "Time spent at most per fleet size.")
    var budgetSeconds = 20

    @Option(help: "Write the report as JSON here (n0core-bench load --include merges it).")
    var json: String?

    func run() throws {
        let sizes = try hosts.split(separator: ",").map { text -> Int in
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value > 0 else {
                throw ValidationError("--hosts \(hosts): expected host counts separated by commas")
            }
            return value
        }
        var report = BenchReport()
        for size in sizes {
            report.placement.append(try PlacementBenchmark.run(hosts: size, iterations: iterations,
                                                               budget: .seconds(budgetSeconds)))
        }
        try publish(report, json: json)
    }
}
