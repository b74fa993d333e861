import Foundation

/// The report as the benchmark prints it: one section per measurement, then the targets.
public enum ReportTable {
    public static func render(_ report: BenchReport) -> String {
        var sections: [String] = []
        var title = "n0core benchmark, \(report.machine.cpus) CPUs (\(report.machine.hostname)), "
            + ISO8601DateFormatter().string(from: report.startedAt)
        if let agents = report.aliveAgents { title += ", \(agents) alive agents" }
        sections.append(title)

        if !report.settings.isEmpty {
            let settings = report.settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            sections.append("Settings: " + settings.joined(separator: " "))
        }

        if !report.phases.isEmpty {
            var table = TextTable("load (POST accepted → spec APPLIED)", "clients", "secs", "accepted", "applied",
                                  "failed", "lost", "rejected", "specs/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
                                  "POST p50 ms")
            for phase in report.phases {
                table.add(phase.name, "\(phase.concurrency)", Figure.fixed(phase.elapsedSeconds, 1), "\(phase.submitted)",
                          "\(phase.applied)", "\(phase.failed)", "\(phase.lost)", "\(phase.rejected)",
                          Figure.fixed(phase.specsPerSecond, 1), Figure.ms(phase.latency.p50), Figure.ms(phase.latency.p90),
                          Figure.ms(phase.latency.p99), Figure.ms(phase.latency.max), Figure.ms(phase.post.p50))
            }
            sections.append(table.render())
        }

        if let floor = report.floor {
            var table = TextTable("floor (same run)", "samples", "p50 ms", "p90 ms", "p99 ms")
            for (name, summary) in [("broker publish → consume", floor.brokerRoundTrip),
                                    ("broker publish → confirm", floor.brokerConfirm),
                                    ("PostgreSQL INSERT commit", floor.commit)] {
                table.add(name, "\(summary.count)", Figure.ms(summary.p50), Figure.ms(summary.p90), Figure.ms(summary.p99))
            }
            var text = table.render()
            text += "\n  pipeline floor = \(floor.hops.formula) = \(Figure.ms(floor.floorP50)) ms at p50"
                + " (\(Figure.ms(floor.floorP99)) ms at p99)"
            for phase in report.phases where phase.judged && phase.latency.count > 0 && floor.floorP50 > 0 {
                text += "\n  \(phase.name): latency p50 / floor p50 = "
                    + Figure.fixed(phase.latency.p50 / floor.floorP50, 1) + "×, p99 / floor p99 = "
                    + Figure.fixed(phase.latency.p99 / floor.floorP99, 1) + "×"
            }
            if !floor.databaseSettings.isEmpty {
                text += "\n  database: " + floor.databaseSettings.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            }
            sections.append(text)
        }

        for phase in report.phases where phase.judged && !phase.breakdown.isEmpty {
            var table = TextTable("where the time goes, \(phase.name)", "specs", "p50 ms", "p90 ms", "p99 ms")
            for segment in phase.breakdown {
                table.add(segment.name, "\(segment.summary.count)", Figure.ms(segment.summary.p50),
                          Figure.ms(segment.summary.p90), Figure.ms(segment.summary.p99))
            }
            sections.append(table.render())
        }

        for phase in report.phases where phase.judged {
            guard let cpu = phase.cpu else { continue }
            // CPU time per applied spec: what each process spends on one spec, whatever the rate.
            let perSpec = { (cores: Double) -> String in
                phase.applied > 0 ? Figure.ms(cores * phase.elapsedSeconds * 1_000 / Double(phase.applied)) : "-"
            }
            var table = TextTable("CPU, \(phase.name)", "cores", "CPU ms per spec")
            let busy = cpu.busyFraction * Double(report.machine.cpus)
            table.add("whole machine busy", Figure.fixed(busy, 2) + " of \(report.machine.cpus)", perSpec(busy))
            for share in cpu.processes.prefix(8) {
                table.add(share.name, Figure.fixed(share.cores, 2), perSpec(share.cores))
            }
            var text = table.render()
            if let database = phase.database {
                text += "\n  database per spec: " + Figure.fixed(database.transactionsPerSpec, 1) + " transactions, "
                    + Figure.fixed(database.rowsReadPerSpec, 0) + " rows read, "
                    + Figure.fixed(database.rowsWrittenPerSpec, 0) + " rows written"
            }
            sections.append(text)
        }

        let problems = report.phases.flatMap { phase in phase.problems.map { "\(phase.name): \($0)" } }
        if !problems.isEmpty {
            sections.append("Problems reported:\n" + problems.map { "  - " + $0 }.joined(separator: "\n"))
        }

        if !report.placement.isEmpty {
            var table = TextTable("placement (seed spec, Placement.place)", "hosts", "agents", "runs",
                                  "call p50 ms", "call p99 ms", "per object p50 ms", "per object p99 ms",
                                  "snapshot build p50 ms", "kept snapshot update p50 / p99 ms")
            for result in report.placement {
                table.add("\(result.objects) objects", "\(result.hosts)", "\(result.agents)", "\(result.iterations)",
                          Figure.ms(result.perCall.p50), Figure.ms(result.perCall.p99),
                          Figure.ms(result.perObject.p50), Figure.ms(result.perObject.p99),
                          result.snapshotBuild.map { Figure.ms($0.p50) } ?? "–",
                          result.snapshotUpdate.map { "\(Figure.ms($0.p50)) / \(Figure.ms($0.p99))" } ?? "–")
            }
            sections.append(table.render())
        }

        if !report.memory.isEmpty {
            var table = TextTable("memory (VmRSS, PSS)", "pid", "idle MiB", "end MiB", "idle PSS MiB", "end PSS MiB",
                                  "idle threads", "end threads")
            for service in report.memory {
                table.add(service.name, "\(service.pid)", service.idle.map { Figure.mib($0.rssKiB) } ?? "-",
                          service.end.map { Figure.mib($0.rssKiB) } ?? "-",
                          service.idle?.pssKiB.map { Figure.mib($0) } ?? "-", service.end?.pssKiB.map { Figure.mib($0) } ?? "-",
                          service.idle.map { "\($0.threads)" } ?? "-", service.end.map { "\($0.threads)" } ?? "-")
            }
            sections.append(table.render())
        }

        let checks = report.targets.isEmpty ? Targets.evaluate(report) : report.targets
        if !checks.isEmpty {
            var table = TextTable("design §7 target", "target", "measured", "")
            for check in checks {
                let verdict = switch check.met {
                case true?: "met"
                case false?: "MISSED"
                case nil: "-"
                }
                table.add(check.what, check.target, check.measured, verdict)
            }
            sections.append(table.render())
        }
        return sections.joined(separator: "\n\n") + "\n"
    }
}
