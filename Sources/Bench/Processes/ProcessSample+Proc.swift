import Foundation

extension ProcessSample {
    /// Reads `VmRSS` and `Threads` of `pid` from `/proc`, and its `Pss` where `smaps_rollup`
    /// can be read; nil when the process is gone.
    public static func read(pid: Int32) -> ProcessSample? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/status"),
              var sample = parse(status: String(decoding: data, as: UTF8.self)) else { return nil }
        if let rollup = FileManager.default.contents(atPath: "/proc/\(pid)/smaps_rollup") {
            sample.pssKiB = proportionalSetSize(smapsRollup: String(decoding: rollup, as: UTF8.self))
        }
        return sample
    }

    /// The `Pss` of a `/proc/PID/smaps_rollup` text (the process's fair share of the pages it
    /// shares with others), in KiB; nil when it lacks it.
    public static func proportionalSetSize(smapsRollup: String) -> Int? {
        for line in smapsRollup.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            if parts.count >= 2, parts[0] == "Pss" { return Int(parts[1]) }
        }
        return nil
    }

    /// The figures of a `/proc/PID/status` text; nil when it lacks them.
    public static func parse(status: String) -> ProcessSample? {
        var rss: Int?
        var threads: Int?
        for line in status.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            guard parts.count >= 2 else { continue }
            switch parts[0] {
            case "VmRSS": rss = Int(parts[1])
            case "Threads": threads = Int(parts[1])
            default: break
            }
        }
        guard let rss, let threads else { return nil }
        return ProcessSample(rssKiB: rss, threads: threads)
    }
}
