import AgentRuntime
import Foundation
import Messages
import TestSupport
import Testing

@testable import PorterVLAN

/// The driver on a real host: every `ip` and `dnsmasq` runs inside a namespace the test made,
/// and DHCP is checked from a second namespace with busybox `udhcpc`.
@Suite("Porter driver (network namespace, dnsmasq, udhcpc)", .enabled(if: PorterTestEnvironment.canRun))
struct PorterVLANDriverTests {
    typealias Env = PorterTestEnvironment

    @Test func seedNetworkMakesItsBridgeAndAClientGetsALeaseFromTheRangeWithRouterAndDNS() async throws {
        try await Env.withPorterHost { host in
            let driver = Env.driver(host)
            try await driver.prepare()
            let outcome = try await driver.apply(try Env.network())
            #expect(outcome.object.bridge == Env.bridge)
            #expect(try host.bridges() == [Env.bridge], "the bridge the Notify names, and no other")
            #expect(try host.isUp(Env.bridge))
            #expect(try host.addresses(Env.bridge) == ["192.168.0.253/24"], "the DHCP server's address by the documented rule")
            let pids = host.dnsmasqPIDs
            #expect(pids.count == 1)

            let lease = try await DHCPClient.with(porter: host, mac: Env.randomMAC()) { try $0.lease() }
            let got = try #require(lease, "no DHCP lease")
            let last = try #require(Int(got.address.split(separator: ".").last ?? ""))
            #expect(got.address.hasPrefix("192.168.0.") && (1...127).contains(last), "\(got.address)")
            #expect(got.router == "192.168.0.254")
            #expect(got.dns == "192.168.0.254")

            let again = try await driver.apply(try Env.network())
            #expect(again == outcome)
            #expect(host.dnsmasqPIDs == pids, "the running dnsmasq is kept, not restarted")
        }
    }

    @Test func fixedAddressGoesToExactlyThatMACAfterAReloadAndDetachingDropsIt() async throws {
        try await Env.withPorterHost { host in
            let driver = Env.driver(host)
            try await driver.prepare()
            _ = try await driver.apply(try Env.network())
            let pids = host.dnsmasqPIDs
            let mac = Env.randomMAC()
            let outcome = try await driver.apply(try Env.nic(mac: mac))
            let network = try #require(outcome.object.dependencies(relation: Relation.portNetwork).first?.object)
            #expect(network.bridge == Env.bridge, "the Notify carries the network with its bridge")
            #expect(host.hostsFileContents()?.contains("\(mac),192.168.0.1\n") == true)

            let lease = try await DHCPClient.with(porter: host, mac: mac) { try $0.lease() }
            #expect(lease?.address == "192.168.0.1")
            #expect(host.dnsmasqPIDs == pids, "dnsmasq re-read its hosts file on SIGHUP, without a restart")

            let pooledMAC = Env.randomMAC()
            let pooled = ObjectID()
            _ = try await driver.apply(try Env.nic(mac: pooledMAC, addresses: nil, id: pooled))
            #expect(host.hostsFileContents()?.contains("\n\(pooledMAC)\n") == true)
            let pooledLease = try await DHCPClient.with(porter: host, mac: pooledMAC) { try $0.lease() }
            #expect(pooledLease.map { $0.address != "192.168.0.1" && $0.address.hasPrefix("192.168.0.") } == true,
                    "a NIC without a fixed address gets one from the pool: \(String(describing: pooledLease))")

            _ = try await driver.apply(try Env.nic(mac: mac, status: "detached"))
            #expect(host.hostsFileContents()?.contains(mac) == false)
            _ = try await driver.apply(try Env.nic(mac: pooledMAC, addresses: nil, status: "deleted", id: pooled))
            #expect(host.hostsFileContents()?.contains(pooledMAC) == false)
            #expect(host.dnsmasqPIDs == pids)
        }
    }

    /// The quickstart's layout: the agent made its state directory under a umask of 077 (mode
    /// 0700), and dnsmasq reads the hosts file as `nobody`. The porter lets it pass through
    /// (search only), and the reservation is served, as dnsmasq's own log and a client say.
    @Test func aFixedAddressIsServedFromAStateDirectoryMadeUnderUmask077() async throws {
        try await Env.withPorterHost { host in
            try FileManager.default.createDirectory(atPath: host.stateDirectory, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            let driver = Env.driver(host)
            try await driver.prepare()
            #expect(DirectorySearch.mode(of: host.stateDirectory) == 0o701, "others may pass through it, not list it")
            _ = try await driver.apply(try Env.network())
            let mac = Env.randomMAC()
            _ = try await driver.apply(try Env.nic(mac: mac))
            let log = try String(contentsOfFile: "\(host.stateDirectory)/networks/\(Env.networkID)/dnsmasq.log", encoding: .utf8)
            #expect(log.contains(": read \(host.hostsFile)\n"), "dnsmasq read the reservations: \(log)")
            #expect(!log.contains("cannot read"), "\(log)")

            let lease = try await DHCPClient.with(porter: host, mac: mac) { try $0.lease() }
            #expect(lease?.address == "192.168.0.1")
        }
    }

    /// A state directory below one that `nobody` cannot pass through (which the porter does not
    /// own, so leaves alone): dnsmasq cannot read the reservations, and the apply fails saying
    /// so and naming the directory, instead of reporting a network that serves no fixed address.
    @Test func reservationsDnsmasqCannotReachFailTheApplyNamingTheDirectory() async throws {
        try await Env.withPorterHost { host in
            try FileManager.default.createDirectory(atPath: host.stateDirectory, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            let inner = "\(host.stateDirectory)/porter"
            let driver = PorterVLANDriver(configuration: PorterVLANConfiguration(stateDirectory: inner),
                                          runner: host.namespace.commandRunner, logger: Env.logger)
            try await driver.prepare()
            #expect(DirectorySearch.mode(of: host.stateDirectory) == 0o700, "not the porter's to change")
            let error = await #expect(throws: AgentFailure.self) { try await driver.apply(try Env.network()) }
            let message = try #require(error?.message)
            let hosts = "\(inner)/networks/\(Env.networkID)/dnsmasq.hosts"
            #expect(message.contains("(pid "), "\(message)")
            #expect(message.contains("running as nobody) cannot read its reservations \(hosts): Permission denied"), "\(message)")
            #expect(message.contains("other users cannot pass through \(host.stateDirectory); allow them "
                + "(chmod o+x \(host.stateDirectory))"), "\(message)")
        }
    }

    @Test func deletedRemovesDnsmasqTheBridgeAndEveryReservation() async throws {
        try await Env.withPorterHost { host in
            let driver = Env.driver(host)
            try await driver.prepare()
            _ = try await driver.apply(try Env.network())
            _ = try await driver.apply(try Env.nic(mac: Env.randomMAC()))
            #expect(host.dnsmasqPIDs.count == 1)

            let outcome = try await driver.apply(try Env.network(state: "deleted"))
            #expect(outcome.object.bridge == nil)
            #expect(try host.bridges().isEmpty)
            #expect(host.dnsmasqPIDs.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: host.hostsFile), "no reservation left")
            #expect(!FileManager.default.fileExists(atPath: "\(host.stateDirectory)/networks/\(Env.networkID)"))

            _ = try await driver.apply(try Env.network(state: "deleted"))
            _ = try await driver.apply(try Env.nic(mac: Env.randomMAC(), status: "deleted"))
            #expect(try await driver.inventory().isEmpty)
        }
    }

    @Test func downStopsDHCPAndSetsTheBridgeDownAndAppliedBringsBothBack() async throws {
        try await Env.withPorterHost { host in
            let driver = Env.driver(host)
            try await driver.prepare()
            _ = try await driver.apply(try Env.network())
            let down = try await driver.apply(try Env.network(state: "down"))
            #expect(down.object.bridge == Env.bridge)
            #expect(try host.bridges() == [Env.bridge])
            #expect(try !host.isUp(Env.bridge))
            #expect(host.dnsmasqPIDs.isEmpty)
            let found = try #require(try await driver.inventory().first { $0.type == .networkVLAN })
            #expect(found.desiredState == "down")

            _ = try await driver.apply(try Env.network())
            #expect(try host.isUp(Env.bridge))
            #expect(host.dnsmasqPIDs.count == 1)
        }
    }

    @Test func aChangedRangeReplacesDnsmasqSoThereIsStillOnlyOne() async throws {
        try await Env.withPorterHost { host in
            let driver = Env.driver(host)
            try await driver.prepare()
            _ = try await driver.apply(try Env.network())
            let before = host.dnsmasqPIDs
            var network = try Env.network()
            network.subnets?[0].dhcp?.range = "192.168.0.10-192.168.0.20"
            _ = try await driver.apply(network)
            let after = host.dnsmasqPIDs
            #expect(after.count == 1)
            #expect(after != before)
            let lease = try await DHCPClient.with(porter: host, mac: Env.randomMAC()) { try $0.lease() }
            let last = try #require(lease.flatMap { Int($0.address.split(separator: ".").last ?? "") })
            #expect((10...20).contains(last))
        }
    }

    @Test func aRestartedPorterAdoptsItsDnsmasqAndRepairsWhatDisappeared() async throws {
        try await Env.withPorterHost { host in
            let first = Env.driver(host)
            try await first.prepare()
            _ = try await first.apply(try Env.network())
            let mac = Env.randomMAC()
            _ = try await first.apply(try Env.nic(mac: mac))
            let pids = host.dnsmasqPIDs

            // A new driver over the same state directory: adopts, starts nothing.
            let second = Env.driver(host)
            try await second.prepare()
            #expect(host.dnsmasqPIDs == pids)
            let found = try await second.inventory()
            #expect(found.count == 2)
            let network = try #require(found.first { $0.type == .networkVLAN })
            #expect(network.id == Env.networkID && network.bridge == Env.bridge && network.desiredState == "applied")
            let nic = try #require(found.first { $0.type == .nic })
            #expect(nic.id == Env.nicID && nic.hwAddr == mac && nic.ipAddresses == ["192.168.0.1"])
            #expect(second.differences(held: try Env.nic(mac: mac), found: nic).isEmpty)
            #expect(second.differences(held: try Env.nic(mac: mac, addresses: ["192.168.0.2"]), found: nic)
                == ["its reserved addresses are 192.168.0.1, applied as 192.168.0.2"])

            // dnsmasq killed and the bridge removed behind its back: the next start repairs both.
            for pid in pids { kill(pid, SIGKILL) }
            try host.namespace.check(["ip", "link", "del", Env.bridge])
            try await poll("dnsmasq to die", every: .milliseconds(20)) { host.dnsmasqPIDs.isEmpty ? true : nil }
            let third = Env.driver(host)
            try await third.prepare()
            #expect(host.dnsmasqPIDs.count == 1)
            #expect(try host.addresses(Env.bridge) == ["192.168.0.253/24"])
            let lease = try await DHCPClient.with(porter: host, mac: mac) { try $0.lease() }
            #expect(lease?.address == "192.168.0.1", "the reservation survived the restart")
        }
    }

    @Test func aNICWhoseNetworkIsNotOnThisHostIsRefused() async throws {
        try await Env.withPorterHost { host in
            let driver = Env.driver(host)
            try await driver.prepare()
            let error = await #expect(throws: AgentFailure.self) { try await driver.apply(try Env.nic(mac: Env.randomMAC())) }
            #expect(error?.message.contains("network 8451da31-5e3a-4c46-aa3a-2a557382a6cd of NIC") == true)
            #expect(error?.message.contains("is not on this host") == true)
        }
    }

    @Test func aMissingUplinkIsNamed() async throws {
        try await Env.withPorterHost { host in
            let driver = Env.driver(host, uplink: "nosuch0")
            try await driver.prepare()
            let error = await #expect(throws: AgentFailure.self) { try await driver.apply(try Env.network()) }
            #expect(error?.message.contains("the uplink interface nosuch0 (porter.uplink) does not exist on this host") == true)
            #expect(try host.bridges().isEmpty)
        }
    }

    @Test(.enabled(if: !PorterTestEnvironment.kernelHasVLAN, "this kernel has 802.1Q; the tagged test below covers it"))
    func anUplinkOnAKernelWithout8021QFailsSayingSoAndMakesNothing() async throws {
        try await Env.withPorterHost { host in
            try host.namespace.check(["ip", "link", "add", "u0", "type", "veth", "peer", "name", "u1"])
            let driver = Env.driver(host, uplink: "u0")
            try await driver.prepare()
            let error = await #expect(throws: AgentFailure.self) { try await driver.apply(try Env.network()) }
            let message = try #require(error?.message)
            #expect(message.contains("cannot make u0.100 for network 8451da31-5e3a-4c46-aa3a-2a557382a6cd: this kernel has no "
                + "802.1Q VLAN support (module 8021q is neither built in nor loadable)"), "\(message)")
            #expect(message.contains("Unknown device type"), "the command's own error: \(message)")
            #expect(try host.bridges().isEmpty, "nothing was made")
            #expect(host.dnsmasqPIDs.isEmpty)
            #expect(try await driver.inventory().isEmpty)
        }
    }

    @Test(.enabled(if: PorterTestEnvironment.kernelHasVLAN, "this kernel has no 802.1Q support (module 8021q), so the tagged uplink cannot be made here"))
    func anUplinkCarriesTheNetworkTaggedWithItsVLANID() async throws {
        try await Env.withPorterHost { host in
            let remote = try NetworkNamespace.create(prefix: "n0pr")
            defer { remote.delete() }
            try host.namespace.check(["ip", "link", "add", "u0", "type", "veth", "peer", "name", "t0", "netns", remote.name])
            try host.namespace.check(["ip", "link", "set", "dev", "u0", "up"])
            let driver = Env.driver(host, uplink: "u0")
            try await driver.prepare()
            _ = try await driver.apply(try Env.network())
            #expect(try host.kind("u0.100") == "vlan")
            #expect(try host.link("u0.100")?["master"] as? String == Env.bridge)

            // The other end of the uplink sees the network only on VLAN 100.
            let mac = Env.randomMAC()
            try remote.check(["ip", "link", "set", "dev", "t0", "up"])
            try remote.check(["ip", "link", "add", "link", "t0", "name", "t0.100", "type", "vlan", "id", "100"])
            try remote.check(["ip", "link", "set", "dev", "t0.100", "address", mac])
            try remote.check(["ip", "link", "set", "dev", "t0.100", "up"])
            _ = try await driver.apply(try Env.nic(mac: mac))
            let script = NSTemporaryDirectory() + "n0core-udhcpc-vlan-\(UUID().uuidString).sh"
            try "#!/bin/sh\n[ \"$1\" = bound ] && echo \"LEASE $ip\"\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: script) }
            chmod(script, 0o755)
            let output = try remote.run(["busybox", "udhcpc", "-i", "t0.100", "-n", "-q", "-t", "5", "-T", "1", "-s", script])
            #expect(output.standardOutput.contains("LEASE 192.168.0.1"), "\(output.standardOutput)\(output.standardError)")

            _ = try await driver.apply(try Env.network(state: "deleted"))
            #expect(try host.link("u0.100") == nil)
            #expect(try host.bridges().isEmpty)
        }
    }
}
