import Bench
import Foundation
import Testing

@Suite("Hop breakdown")
struct HopBreakdownTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    func at(_ milliseconds: Double) -> Date {
        start.addingTimeInterval(milliseconds / 1_000)
    }

    @Test("each stretch is the time between consecutive moments of a spec")
    func stretches() {
        let timeline = SpecTimeline(specID: 1, acceptedAt: at(0), scheduledAt: at(2), requestsRelayedAt: at(5),
                                    firstObjectAppliedAt: at(9), appliedAt: at(16))
        let segments = HopBreakdown.segments([timeline])
        #expect(segments.map(\.name) == HopBreakdown.stretchNames)
        #expect(segments.map { ($0.summary.p50 * 1_000).rounded() / 1_000 } == [2, 3, 4, 7])
    }

    @Test("a spec missing a moment counts only in the stretches it has both ends of")
    func missingMoments() {
        let complete = SpecTimeline(specID: 1, acceptedAt: at(0), scheduledAt: at(1), requestsRelayedAt: at(2),
                                    firstObjectAppliedAt: at(3), appliedAt: at(4))
        let partial = SpecTimeline(specID: 2, acceptedAt: at(0), scheduledAt: at(10))
        let segments = HopBreakdown.segments([complete, partial])
        #expect(segments.map(\.summary.count) == [2, 1, 1, 1])
        #expect(segments[0].summary.max.rounded() == 10)
    }
}
