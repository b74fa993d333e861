import Bench
import Testing

@Suite("Latency summaries")
struct LatencySummaryTests {
    @Test("nearest-rank percentiles of 1…100 are the samples themselves")
    func percentilesOfOneToHundred() {
        let summary = LatencySummary(milliseconds: (1...100).reversed().map(Double.init))
        #expect(summary.count == 100)
        #expect(summary.p50 == 50)
        #expect(summary.p90 == 90)
        #expect(summary.p99 == 99)
        #expect(summary.max == 100)
        #expect(summary.mean == 50.5)
    }

    @Test("a percentile is always a measured sample, rounding the rank up")
    func rankRoundsUp() {
        let sorted: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        #expect(LatencySummary.percentile(50, ofSorted: sorted) == 5)
        #expect(LatencySummary.percentile(99, ofSorted: sorted) == 10)
        #expect(LatencySummary.percentile(1, ofSorted: sorted) == 1)
        #expect(LatencySummary.percentile(100, ofSorted: [7]) == 7)
    }

    @Test("no samples give a summary of zeros")
    func empty() {
        let summary = LatencySummary(milliseconds: [])
        #expect(summary == LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0))
    }

    @Test("durations are summarized in milliseconds")
    func durations() {
        let summary = LatencySummary([.milliseconds(3), .microseconds(1_500), .seconds(1)])
        #expect(summary.p50 == 3)
        #expect(summary.max == 1_000)
        #expect(Duration.microseconds(250).milliseconds == 0.25)
    }
}
