import Foundation
import Store
import Testing

@testable import Scheduler

/// A batch shares one read of the registry per query: queries that select the same agents
/// share it, any that differ do not.
@Suite struct RegistryReadsTests {
    @Test func theSameQueryInAnotherOrderSharesItsReadAndAnyOtherDoesNot() {
        let (a, b) = (UUID(), UUID())
        let query = StoreTransaction.AgentQuery(types: ["agent/compute/kvm", "agent/volumer/file"], including: [a, b],
                                                aliveWithinSeconds: 30)
        var reordered = query
        reordered.types.reverse()
        reordered.including.reverse()
        #expect(RegistryReads.key(query) == RegistryReads.key(reordered))

        var others: [StoreTransaction.AgentQuery] = []
        for change in 0..<6 {
            var other = query
            switch change {
            case 0: other.types = ["agent/compute/kvm"]
            case 1: other.hostID = UUID().uuidString
            case 2: other.only = [a]
            case 3: other.including = [a]
            case 4: other.includeDead = true
            default: other.includeDraining = true
            }
            others.append(other)
        }
        let keys = Set(others.map(RegistryReads.key) + [RegistryReads.key(query)])
        #expect(keys.count == 7)
    }
}
