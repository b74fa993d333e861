import Foundation

extension ProcessSample {
    /// Reads `VmRSS` and `Threads` of `pid` from `/proc`; nil when the process is gone.
    public static func read(pid: Int32) -> ProcessSample? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/status") else { return nil }
        return parse(status: String(decoding: data, as: UTF8.self))
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
