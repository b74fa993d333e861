/// The distribution of a set of timings, in milliseconds: what every figure of the benchmark
/// report is made of.
///
/// Percentiles use the nearest-rank method (the smallest sample with at least p % of the
/// samples at or below it), so every figure printed is a time that was actually measured,
/// never an interpolation between two.
public struct LatencySummary: Codable, Sendable, Hashable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double
    public var mean: Double

    public init(count: Int, p50: Double, p90: Double, p99: Double, max: Double, mean: Double) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.mean = mean
    }

    /// Summarizes `samples` (milliseconds, any order); all zeros when there are none.
    public init(milliseconds samples: [Double]) {
        let sorted = samples.sorted()
        guard let last = sorted.last else {
            self.init(count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0)
            return
        }
        self.init(
            count: sorted.count,
            p50: Self.percentile(50, ofSorted: sorted),
            p90: Self.percentile(90, ofSorted: sorted),
            p99: Self.percentile(99, ofSorted: sorted),
            max: last,
            mean: sorted.reduce(0, +) / Double(sorted.count))
    }

    /// Summarizes durations.
    public init(_ durations: [Duration]) {
        self.init(milliseconds: durations.map(\.milliseconds))
    }

    /// The nearest-rank `p`th percentile (0 < p ≤ 100) of samples sorted in ascending order.
    public static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double {
        precondition(!sorted.isEmpty, "a percentile of no samples")
        precondition(p > 0 && p <= 100, "a percentile is in (0, 100]")
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(1, Swift.min(rank, sorted.count)) - 1]
    }
}

extension Duration {
    /// The duration in (fractional) milliseconds.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }
}
