import Testing

@testable import Broker

@Suite("Which broker node is tried next")
struct NodeRotationTests {
    /// Fails `attempts` attempts in a row, noting each node tried and whether it ended a round.
    private func fail(_ rotation: inout NodeRotation, _ attempts: Int) -> [(node: Int, endsRound: Bool)] {
        (0..<attempts).map { _ in
            let node = rotation.current
            return (node, rotation.attemptFailed())
        }
    }

    @Test func triesEveryNodeInOrderThenBacksOff() {
        var rotation = NodeRotation(count: 3)
        let attempts = fail(&rotation, 6)
        #expect(attempts.map(\.node) == [0, 1, 2, 0, 1, 2])
        #expect(attempts.map(\.endsRound) == [false, false, true, false, false, true])
    }

    @Test func afterALostConnectionStartsWithTheNextNode() {
        var rotation = NodeRotation(count: 3)
        _ = rotation.attemptFailed()
        rotation.connected()
        #expect(rotation.current == 1)
        rotation.connectionLost()
        let attempts = fail(&rotation, 3)
        // The lost node comes last in the round, and only a full round backs off.
        #expect(attempts.map(\.node) == [2, 0, 1])
        #expect(attempts.map(\.endsRound) == [false, false, true])
    }

    @Test func aConnectionStartsTheRoundAfresh() {
        var rotation = NodeRotation(count: 2)
        _ = rotation.attemptFailed()
        rotation.connected()
        let attempts = fail(&rotation, 2)
        #expect(attempts.map(\.node) == [1, 0])
        #expect(attempts.map(\.endsRound) == [false, true])
    }

    @Test func aSingleNodeBacksOffAfterEveryFailure() {
        var rotation = NodeRotation(count: 1)
        #expect(fail(&rotation, 3).map(\.endsRound) == [true, true, true])
        rotation.connectionLost()
        #expect(rotation.current == 0)
    }
}
