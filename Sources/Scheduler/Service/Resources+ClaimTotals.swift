import Store

extension Resources {
    /// What an agent's claims add up to; zero when it has none.
    init(_ totals: ClaimTotals?) {
        self = totals.map { Resources(vcpus: $0.vcpus, memoryBytes: $0.memoryBytes, diskBytes: $0.diskBytes) } ?? .zero
    }
}
