import Foundation

/// CPU time of every process on the machine at one moment, from `/proc`, so a load phase can
/// say who used the machine's cores while it ran (the broker, the database, which service):
/// the process-level profile that tells what bounds a run on a small machine.
public struct CPUSnapshot: Sendable {
    /// Clock ticks (user + system) by pid, with the process's name (`comm`, at most 15
    /// characters: `n0core-schedule`, `beam.smp`, `postgres`).
    var processes: [Int32: (name: String, ticks: Int)]
    /// The machine's busy and total ticks (all CPUs) from `/proc/stat`.
    var machineBusy: Int
    var machineTotal: Int
    var taken: ContinuousClock.Instant

    init(processes: [Int32: (name: String, ticks: Int)], machineBusy: Int, machineTotal: Int,
         taken: ContinuousClock.Instant = .now) {
        self.processes = processes
        self.machineBusy = machineBusy
        self.machineTotal = machineTotal
        self.taken = taken
    }

    /// Reads every process now.
    public static func take() -> CPUSnapshot {
        var processes: [Int32: (name: String, ticks: Int)] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/stat"),
                  let parsed = parse(stat: String(decoding: data, as: UTF8.self)) else { continue }
            processes[pid] = parsed
        }
        let (busy, total) = FileManager.default.contents(atPath: "/proc/stat")
            .flatMap { parse(machine: String(decoding: $0, as: UTF8.self)) } ?? (0, 0)
        return CPUSnapshot(processes: processes, machineBusy: busy, machineTotal: total)
    }

    /// `comm` and utime + stime of a `/proc/PID/stat` line.
    static func parse(stat: String) -> (name: String, ticks: Int)? {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
        let name = String(stat[stat.index(after: open)..<close])
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3 of stat(5)); utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return (name, user + system)
    }

    /// Busy (everything but idle and iowait) and total ticks of the `cpu` line of `/proc/stat`.
    static func parse(machine: String) -> (busy: Int, total: Int)? {
        guard let line = machine.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let values = line.split(separator: " ").dropFirst().compactMap { Int($0) }
        guard values.count >= 5 else { return nil }
        let total = values.prefix(8).reduce(0, +)
        return (total - values[3] - values[4], total)
    }

    /// Cores used by each process name between `earlier` and this snapshot, busiest first;
    /// names using less than `minimum` cores are left out. A process that started in between
    /// counts whole; one that ended in between is missing (its time is lost with it).
    ///
    /// Processes are named by `names` when it has their pid (the services, whose `comm` is cut
    /// to 15 characters), else by `comm` up to its first `/` (kernel workers per CPU count as
    /// one).
    public func usage(since earlier: CPUSnapshot, names: [Int32: String] = [:], minimum: Double = 0.01) -> CPUUsage {
        let seconds = (taken - earlier.taken).milliseconds / 1_000
        let hertz = Double(Self.ticksPerSecond)
        var byName: [String: Int] = [:]
        for (pid, process) in processes {
            let before = earlier.processes[pid].flatMap { $0.name == process.name ? $0.ticks : nil } ?? 0
            let name = names[pid] ?? String(process.name.prefix { $0 != "/" })
            byName[name, default: 0] += max(0, process.ticks - before)
        }
        let shares = byName.compactMap { name, ticks -> CPUShare? in
            let cores = seconds > 0 ? Double(ticks) / hertz / seconds : 0
            return cores >= minimum ? CPUShare(name: name, cores: cores) : nil
        }.sorted { $0.cores > $1.cores || ($0.cores == $1.cores && $0.name < $1.name) }
        let total = Double(machineTotal - earlier.machineTotal)
        let busy = total > 0 ? Double(machineBusy - earlier.machineBusy) / total : 0
        return CPUUsage(busyFraction: busy, processes: shares)
    }

    static var ticksPerSecond: Int {
        let value = sysconf(Int32(_SC_CLK_TCK))
        return value > 0 ? value : 100
    }
}

/// Who used the CPUs during a phase.
public struct CPUUsage: Codable, Sendable, Hashable {
    /// The share of all the machine's CPU time that was busy (1 = every core all the time).
    public var busyFraction: Double
    public var processes: [CPUShare]

    public init(busyFraction: Double, processes: [CPUShare]) {
        self.busyFraction = busyFraction
        self.processes = processes
    }
}

/// Cores used by the processes of one name (1.0 = one core all the time).
public struct CPUShare: Codable, Sendable, Hashable {
    public var name: String
    public var cores: Double

    public init(name: String, cores: Double) {
        self.name = name
        self.cores = cores
    }
}
