/// One target of design §7 against what a run measured.
public struct TargetCheck: Codable, Sendable, Hashable {
    public var what: String
    public var target: String
    public var measured: String
    /// nil when the run did not measure it, or the target does not apply (the simulated
    /// hypervisors' process is not one service).
    public var met: Bool?

    public init(what: String, target: String, measured: String, met: Bool?) {
        self.what = what
        self.target = target
        self.measured = measured
        self.met = met
    }
}

/// Design §7's targets, and how a report is judged against them.
public enum Targets {
    public static let latencyP50 = 15.0
    public static let latencyP99 = 50.0
    public static let specsPerSecond = 300.0
    public static let placementHosts = 10_000
    public static let placementP99PerObject = 1.0
    public static let idleRSSMiB = 25.0

    /// Every target the report has figures for: latency per load phase, the best sustained
    /// throughput with nothing lost or failed in any phase, placement at 10,000 hosts, and idle
    /// memory per service.
    public static func evaluate(_ report: BenchReport) -> [TargetCheck] {
        var checks: [TargetCheck] = []
        for phase in report.phases where phase.judged && phase.latency.count > 0 {
            checks.append(TargetCheck(
                what: "latency p50, \(phase.name)", target: "≤ \(Figure.ms(latencyP50)) ms",
                measured: "\(Figure.ms(phase.latency.p50)) ms", met: phase.latency.p50 <= latencyP50))
            checks.append(TargetCheck(
                what: "latency p99, \(phase.name)", target: "≤ \(Figure.ms(latencyP99)) ms",
                measured: "\(Figure.ms(phase.latency.p99)) ms", met: phase.latency.p99 <= latencyP99))
        }
        if let best = report.phases.filter(\.judged).max(by: { $0.specsPerSecond < $1.specsPerSecond }) {
            let lost = report.phases.reduce(0) { $0 + $1.lost }
            let failed = report.phases.reduce(0) { $0 + $1.failed }
            let hosts = report.aliveAgents.map { ", \($0) agents" } ?? ""
            checks.append(TargetCheck(
                what: "throughput (\(best.name)\(hosts))", target: "≥ \(Int(specsPerSecond)) specs/s",
                measured: "\(Figure.fixed(best.specsPerSecond, 1)) specs/s", met: best.specsPerSecond >= specsPerSecond))
            checks.append(TargetCheck(
                what: "specs lost / failed (all phases)", target: "0 / 0",
                measured: "\(lost) / \(failed)", met: lost == 0 && failed == 0))
        }
        if let placement = report.placement.first(where: { $0.hosts == placementHosts }) {
            checks.append(TargetCheck(
                what: "placement p99 per object, \(placement.hosts) hosts",
                target: "≤ \(Figure.ms(placementP99PerObject)) ms",
                measured: "\(Figure.ms(placement.perObject.p99)) ms",
                met: placement.perObject.p99 <= placementP99PerObject))
        }
        for service in report.memory {
            guard let idle = service.idle else { continue }
            let isService = !service.name.contains("simulated")
            checks.append(TargetCheck(
                what: "idle RSS, \(service.name)", target: isService ? "≤ \(Int(idleRSSMiB)) MiB" : "n/a (many agents)",
                measured: "\(Figure.mib(idle.rssKiB)) MiB",
                met: isService ? idle.rssMiB <= idleRSSMiB : nil))
        }
        return checks
    }
}
