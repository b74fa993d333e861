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
        numericFields(of: smapsRollup)["Pss"]
    }

    /// The figures of a `/proc/PID/status` text; nil when it lacks them.
    public static func parse(status: String) -> ProcessSample? {
        let fields = numericFields(of: status)
        guard let rss = fields["VmRSS"], let threads = fields["Threads"] else { return nil }
        return ProcessSample(rssKiB: rss, threads: threads)
    }

    /// The `Key: number [kB]` lines of a `/proc` text, by key.
    private static func numericFields(of text: String) -> [Substring: Int] {
        var fields: [Substring: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
            if parts.count >= 2, let value = Int(parts[1]) { fields[parts[0]] = value }
        }
        return fields
    }
}
