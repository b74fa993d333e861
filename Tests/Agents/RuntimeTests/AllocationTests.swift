import Messages
import Testing

@testable import AgentRuntime

/// What a host offers from what it has: reservations taken off, ratios applied, and no figure
/// that can trap or leave a heartbeat's bounds, whatever the host or the configuration says.
@Suite struct AllocationTests {
    let gib = Size.Unit.gb.bytes
    let mib = Size.Unit.mb.bytes

    @Test func novasDefaultsOvercommitCPUsFourToOneAndKeepMemoryForTheHost() {
        let allocation = Allocation(cpuRatio: 4, memoryRatio: 1, reservedMemory: Size(512, .mb))
        let demo = Capacity(vcpus: 2, memory: Size(bytes: 24_105 * mib))
        #expect(allocation.allocatable(demo) == Capacity(vcpus: 8, memory: Size(bytes: (24_105 - 512) * mib)))
    }

    @Test func physicalOffersWhatTheHostHas() {
        let host = Capacity(vcpus: 3, memory: Size(7, .gb), disk: Size(100, .gb))
        #expect(Allocation.physical.allocatable(host) == host)
    }

    @Test func reservationsComeOffBeforeTheRatio() {
        let allocation = Allocation(cpuRatio: 1.5, memoryRatio: 2, diskRatio: 3, reservedCPUs: 1,
                                    reservedMemory: Size(1, .gb), reservedDisk: Size(10, .gb))
        let host = Capacity(vcpus: 4, memory: Size(5, .gb), disk: Size(20, .gb))
        // (4 − 1) × 1.5 = 4.5, rounded down; (5 − 1) × 2 GiB; (20 − 10) × 3 GiB.
        #expect(allocation.allocatable(host) == Capacity(vcpus: 4, memory: Size(8, .gb), disk: Size(30, .gb)))
    }

    @Test func figuresTheHostDoesNotReportStayOut() {
        let allocation = Allocation(cpuRatio: 4, reservedMemory: Size(512, .mb), reservedDisk: Size(1, .gb))
        #expect(allocation.allocatable(Capacity(disk: Size(10, .gb))) == Capacity(disk: Size(9, .gb)))
        #expect(allocation.allocatable(Capacity(vcpus: 2)) == Capacity(vcpus: 8))
    }

    @Test func aReservationLargerThanTheHostLeavesNothingInsteadOfWrapping() {
        let allocation = Allocation(cpuRatio: 4, reservedCPUs: 16, reservedMemory: Size(64, .gb), reservedDisk: Size(1, .tb))
        let small = Capacity(vcpus: 2, memory: Size(256, .mb), disk: Size(1, .gb))
        #expect(allocation.allocatable(small) == Capacity(vcpus: 0, memory: Size(bytes: 0), disk: Size(bytes: 0)))
        #expect(allocation.reservesAll(of: small))
        #expect(!Allocation(reservedMemory: Size(512, .mb)).reservesAll(of: Capacity(vcpus: 2, memory: Size(1, .gb))))
        #expect(!Allocation.physical.reservesAll(of: Capacity(vcpus: 0, memory: Size(bytes: 0))),
                "nothing reserved takes nothing, even of nothing")
    }

    @Test func productsStopAtTheBoundsAHeartbeatMayCarry() {
        let most = Allocation(cpuRatio: 64, memoryRatio: 64, diskRatio: 64)
        let huge = Capacity(vcpus: .max, memory: Size(bytes: .max), disk: Size(bytes: .max))
        let offered = most.allocatable(huge)
        #expect(offered.vcpus == Capacity.vcpuBounds.upperBound)
        #expect(offered.memory == Capacity.memoryBounds.upperBound)
        #expect(offered.disk == Capacity.diskBounds.upperBound)
        // And what it offers is a heartbeat the conductor and scheduler take.
        let encoded = MessageCodec.encodeString(offered, format: .json)
        #expect((try? MessageCodec.decode(Capacity.self, from: encoded, format: .json)) == offered, "\(encoded)")
    }

    @Test func aRatioThatIsNotAPositiveNumberOffersNothing() {
        for ratio in [0, -1, .nan, .infinity, -.infinity] as [Double] {
            let allocation = Allocation(cpuRatio: ratio, memoryRatio: ratio)
            #expect(allocation.allocatable(Capacity(vcpus: 2, memory: Size(1, .gb))) == Capacity(vcpus: 0, memory: Size(bytes: 0)),
                    "ratio \(ratio)")
        }
    }

    @Test func memoryIsOfferedInWholeMegabytes() {
        let allocation = Allocation(memoryRatio: 1.5)
        // 3 MiB × 1.5 = 4.5 MiB → 4 MiB.
        #expect(allocation.allocatable(Capacity(memory: Size(3, .mb))) == Capacity(memory: Size(4, .mb)))
    }
}
