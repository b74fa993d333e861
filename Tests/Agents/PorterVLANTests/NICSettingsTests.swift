import AgentRuntime
import Messages
import Testing

@testable import PorterVLAN

@Suite("Porter: NIC checks")
struct NICSettingsTests {
    let mac = "52:54:00:12:34:56"

    func failure(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return (error as? AgentFailure)?.message ?? "\(error)"
        }
    }

    func network() throws -> NetworkSettings {
        try NetworkSettings(try PorterTestEnvironment.network(), uplink: nil)
    }

    @Test func seedNICIsOnTheSeedNetworkWithItsFixedAddress() throws {
        let nic = try NICSettings(try PorterTestEnvironment.nic(mac: mac))
        #expect(nic.networkID == PorterTestEnvironment.networkID)
        #expect(nic.addresses == [IPv4Address("192.168.0.1")!])
        #expect(nic.hardwareAddress.description == mac)
        try nic.check(against: try network())
    }

    @Test func anAddressOutsideTheSubnetIsRefusedNamingIt() throws {
        let nic = try NICSettings(try PorterTestEnvironment.nic(mac: mac, addresses: ["10.0.0.5"]))
        let message = try #require(failure { try nic.check(against: try network()) })
        #expect(message == "ip_addresses[0] 10.0.0.5 of NIC a1f6a79b-7ad0-499e-b912-44eb73ea0f81 is not inside the subnet of "
            + "network 8451da31-5e3a-4c46-aa3a-2a557382a6cd (192.168.0.0/24)")
    }

    @Test func gatewayServerBroadcastDuplicatesAndTakenAddressesAreRefused() throws {
        func message(_ addresses: [String], servers: Set<IPv4Address> = [], others: [Reservation] = []) throws -> String? {
            let nic = try NICSettings(try PorterTestEnvironment.nic(mac: mac, addresses: addresses))
            return failure { try nic.check(against: try network(), serverAddresses: servers, others: others) }
        }
        #expect(try message(["192.168.0.254"])?.contains("is the gateway of 192.168.0.0/24") == true)
        #expect(try message(["192.168.0.255"])?.contains("is not inside the subnet") == true, "the broadcast address")
        #expect(try message(["192.168.0.1", "192.168.0.2"])?.contains("one address per subnet") == true)
        #expect(try message(["192.168.0.253"], servers: [IPv4Address("192.168.0.253")!])?
            .contains("is the address of the network's DHCP server") == true)
        let other = Reservation(nic: ObjectID(), hardwareAddress: HardwareAddress("52:54:00:00:00:01")!,
                                addresses: [IPv4Address("192.168.0.1")!])
        #expect(try message(["192.168.0.1"], others: [other])?.contains("is already reserved for NIC \(other.nic)") == true)
        let sameMAC = Reservation(nic: ObjectID(), hardwareAddress: HardwareAddress(mac)!, addresses: [])
        #expect(try message([], others: [sameMAC])?.contains("is already NIC \(sameMAC.nic)'s") == true)
        let itself = Reservation(nic: PorterTestEnvironment.nicID, hardwareAddress: HardwareAddress(mac)!,
                                 addresses: [IPv4Address("192.168.0.1")!])
        #expect(try message(["192.168.0.1"], others: [itself]) == nil, "its own reservation is no conflict")
    }

    @Test func aNICNeedsAUnicastMACAndOneNetwork() throws {
        var nic = try PorterTestEnvironment.nic(mac: mac)
        nic.hwAddr = nil
        #expect(failure { _ = try NICSettings(nic) }?.contains("has no hw_addr; the scheduler assigns one") == true)
        nic.hwAddr = "ffffffffffff"
        #expect(failure { _ = try NICSettings(nic) }?.contains("is a broadcast, multicast or all-zero address") == true)
        nic.hwAddr = "not-a-mac"
        #expect(failure { _ = try NICSettings(nic) }?.contains("hw_addr 'not-a-mac'") == true)
        nic = try PorterTestEnvironment.nic(mac: mac)
        nic.dependencies = nic.dependencies?.filter { $0.property.relation != Relation.portNetwork }
        #expect(failure { _ = try NICSettings(nic) }?.contains("has no network") == true)
        nic = try PorterTestEnvironment.nic(mac: mac, addresses: ["192.168.0.x"])
        #expect(failure { _ = try NICSettings(nic) }?.contains("ip_addresses[0] '192.168.0.x'") == true)
    }

    @Test func driverValidationRefusesBeforeAnythingIsTouched() throws {
        let driver = PorterVLANDriver(configuration: PorterVLANConfiguration(stateDirectory: "/nonexistent"),
                                      runner: NoCommands(), logger: PorterTestEnvironment.logger)
        #expect(throws: AgentFailure.self) {
            try driver.validate(try PorterTestEnvironment.nic(mac: mac, addresses: ["10.0.0.5"]))
        }
        #expect(throws: AgentFailure.self) { try driver.validate(try PorterTestEnvironment.nic(mac: "ffffffffffff")) }
        try driver.validate(try PorterTestEnvironment.nic(mac: mac))
        try driver.validate(try PorterTestEnvironment.nic(mac: "ffffffffffff", status: "detached"))
        try driver.validate(try PorterTestEnvironment.network())
        var broken = try PorterTestEnvironment.network(state: "deleted")
        broken.subnets = [Subnet(cidr: "nonsense")]
        try driver.validate(broken)
        broken.desiredState = "applied"
        #expect(throws: AgentFailure.self) { try driver.validate(broken) }
    }
}

/// A runner for tests that must run nothing.
struct NoCommands: CommandRunner {
    func run(_ command: Command) async throws -> CommandResult {
        Issue.record("no command was expected, ran \(command)")
        return CommandResult(status: 1)
    }
}
