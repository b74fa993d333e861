/// A small fixed-seed generator for property tests, so a failing case can be replayed from its
/// seed.
public struct SeededGenerator: Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A number in `0..<bound`.
    public mutating func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
    }
}
