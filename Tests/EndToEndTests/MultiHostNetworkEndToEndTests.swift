import Foundation
import Testing
import TestSupport

/// One network across hypervisors: three hypervisor namespaces, each with its three agents,
/// joined by an underlay; a spec whose three VMs `different_host` puts on the three hosts. Each
/// guest gets its NIC's fixed address by DHCP — from the one dnsmasq of the network, on whichever
/// host serves it, across the VXLAN overlay for the others — and reaches the other two, as their
/// serial consoles say. Removing a VM on a host that does not serve DHCP removes the network's
/// part there and leaves the other two connected.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase && NetworkNamespace.isSupported))
struct MultiHostNetworkEndToEndTests {
    static let names = ["web1", "web2", "web3"]
    static let addresses = ["web1": "192.168.0.1", "web2": "192.168.0.2", "web3": "192.168.0.3"]
    /// The DHCP server's address on the network (the highest outside the range, by the porter's rule).
    static let serverAddress = "192.168.0.253"

    static func document(kernel: String, initrd: String) -> String {
        func vm(_ name: String) -> String {
            let others = names.filter { $0 != name }.map { addresses[$0]! } + [serverAddress]
            return """
              \(name):
                type: resource/vm/kvm
                arch: amd64
                vcpus: 1
                memory: 256mb
                kernel: \(kernel)
                initrd: \(initrd)
                cmdline: console=ttyS0 n0core.ping=\(others.joined(separator: ","))
                dependencies:
                  - object:
                      type: resource/nic
                      ip_addresses: [\(addresses[name]!)]
                      dependencies:
                        - object: {variable: net}
                          property: {r: n0stack/n0core/port/network}
                    property: {r: n0stack/n0core/vm/attachments}

            """
        }
        return """
            annotations:
              n0stack/scheduling/different_host: true
            spec:
            \(names.map(vm).joined())  net:
                type: resource/network/vlan
                subnets:
                  - cidr: 192.168.0.0/24
                    dhcp:
                      range: 192.168.0.1-192.168.0.127
                      gateway: 192.168.0.254
                parameters: {vlan_id: 100}

            """
    }

    @Test func vmsOnThreeHostsGetTheirFixedAddressesAndReachEachOther() async throws {
        let guest = try GuestFixture.build()
        try await Cluster.run(hypervisors: 3) { cluster in
            var images: (kernel: String, initrd: String)?
            for hypervisor in cluster.hypervisors { images = try guest.install(in: hypervisor.imagesDirectory) }
            let created = try cluster.api(.post, "/api/spec", body: Self.document(kernel: images!.kernel, initrd: images!.initrd))
            try #require(created.status == 201, "POST /api/spec answered \(created.status): \(created.body)")
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
            let specID = try #require(answer["id"] as? Int)
            let spec = try #require(answer["spec"] as? [String: [String: Any]])
            let vmIDs = try Self.names.map { try #require(spec[$0]?["id"] as? String) }
            try await cluster.waitForState("applied", spec: specID, version: 0, timeout: .seconds(180))

            // Where everything landed, from the graph.
            let edges = try cluster.graphEdges(spec: specID)
            let hostOf = Dictionary(uniqueKeysWithValues: cluster.hypervisors.flatMap { hypervisor in
                hypervisor.agentIDs.values.map { ($0, hypervisor) }
            })
            let vmHosts = try vmIDs.map { id in
                try #require(edges.first { $0.source == id && $0.relation == "n0stack/n0core/resource/scheduled" }
                    .flatMap { hostOf[$0.target] }, "VM \(id) is not on a hypervisor of the cluster")
            }
            #expect(Set(vmHosts.map(\.index)).count == 3, "different_host: each VM on a host of its own")
            let networkID = try #require(spec["net"]?["id"] as? String)
            let server = try #require(edges.first { $0.source == networkID && $0.relation == "n0stack/n0core/network/dhcp_server" }
                .flatMap { hostOf[$0.target] }, "the network names no DHCP server")
            let suffix = networkID.replacingOccurrences(of: "-", with: "").prefix(12)
            let (bridge, overlayPort) = ("br-\(suffix)", "vx-\(suffix)")
            let dnsmasqs = cluster.hypervisors.map { hypervisor in
                Self.commandLines(in: hypervisor.namespace).filter { $0.contains("dnsmasq") && $0.contains(bridge) }.count
            }
            #expect(dnsmasqs.reduce(0, +) == 1 && dnsmasqs[server.index] == 1,
                    "one dnsmasq for the network, on the DHCP server's host: \(dnsmasqs)")
            for (name, (id, hypervisor)) in zip(Self.names, zip(vmIDs, vmHosts)) {
                print("\(name) (\(id)) on hypervisor \(hypervisor.index): host \(hypervisor.hostID), namespace "
                    + "\(hypervisor.namespace.name), underlay \(hypervisor.underlayAddress ?? "-")")
            }
            print("network \(networkID): DHCP served by hypervisor \(server.index)'s porter; dnsmasq per hypervisor \(dnsmasqs)")

            func console(_ index: Int) -> String { "\(vmHosts[index].computeStateDirectory)/console/n0-\(vmIDs[index]).log" }
            for (index, name) in Self.names.enumerated() {
                let lease = try await HostView.waitForLine(prefix: "LEASE ", in: console(index), timeout: .seconds(120))
                #expect(lease == "LEASE \(Self.addresses[name]!)", "\(name)'s fixed address, whichever host it is on")
                let detail = try await HostView.waitForLine(prefix: "LEASE_DETAIL ", in: console(index), timeout: .seconds(5))
                var replies: [String] = []
                for other in Self.names where other != name {
                    replies.append(try await HostView.waitForLine(exactly: "PING_REPLY \(Self.addresses[other]!)", in: console(index),
                                                              timeout: .seconds(90)))
                }
                print("\(name) console: \(lease) | \(detail) | \(replies.joined(separator: " | "))")
            }

            // Remove a VM on a host that does not serve DHCP (a new version without it): the
            // network's part there goes, and the two others still reach each other and the server.
            let removed = try #require(vmHosts.firstIndex { $0.index != server.index })
            let removedName = Self.names[removed]
            let stored = try cluster.api(.get, "/api/spec/\(specID)/versions/0", accept: "application/json")
            var document = try #require(try JSONSerialization.jsonObject(with: Data(stored.body.utf8)) as? [String: Any])
            var objects = try #require(document["spec"] as? [String: Any])
            objects[removedName] = nil
            document["spec"] = objects
            let body = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
            let replaced = try cluster.api(.put, "/api/spec/\(specID)", body: body)
            try #require(replaced.status == 200, "PUT answered \(replaced.status): \(replaced.body)")
            try await cluster.waitForState("applied", spec: specID, version: 1, timeout: .seconds(120))
            let left = vmHosts[removed]
            try await waitUntil("the network's part on hypervisor \(left.index) is removed", within: .seconds(30)) {
                try left.namespace.run(["ip", "link", "show", "dev", bridge]).status != 0
                    && left.namespace.run(["ip", "link", "show", "dev", overlayPort]).status != 0
            }
            #expect(!Self.commandLines(in: left.namespace).contains {
                $0.contains("qemu-system") && $0.contains("n0-\(vmIDs[removed])")
            }, "the removed VM's guest is gone")
            let porters = try cluster.graphEdges(spec: specID)
                .filter { $0.source == networkID && $0.relation == "n0stack/n0core/resource/scheduled" }.compactMap { hostOf[$0.target]?.index }
            #expect(Set(porters) == Set(vmHosts.map(\.index)).subtracting([left.index]), "the network is on the two hosts left")

            // The two porters left send the network's broadcast only to each other.
            for index in Set(porters) {
                let hypervisor = cluster.hypervisors[index]
                let other = Set(porters).subtracting([index]).compactMap { cluster.hypervisors[$0].underlayAddress }
                try await waitUntil("hypervisor \(index)'s overlay peers are \(other)", within: .seconds(30)) {
                    try hypervisor.namespace.vxlanFloodPeers(of: overlayPort) == Set(other)
                }
            }

            var after: [String] = []
            for index in Self.names.indices where index != removed {
                after.append("\(Self.names[index]) console: "
                    + (try await HostView.waitForLine(exactly: "PING_LOST \(Self.addresses[removedName]!)", in: console(index), timeout: .seconds(30))))
            }
            // Still connected: no PING_LOST for anything but the removed VM, a few seconds on.
            try await Task.sleep(for: .seconds(5))
            for index in Self.names.indices where index != removed {
                let lines = HostView.consoleLines(console(index))
                for address in Self.names.indices.filter({ $0 != removed && $0 != index }).map({ Self.addresses[Self.names[$0]]! })
                    + [Self.serverAddress] {
                    #expect(!lines.contains("PING_LOST \(address)"), "\(Self.names[index]) still reaches \(address)")
                }
            }
            print("after removing \(removedName) (hypervisor \(left.index)): its bridge and VXLAN port are gone there; "
                + "the network is on hypervisors \(porters.sorted()), each sending broadcast only to the other; "
                + "\(after.joined(separator: "; ")); "
                + "no other PING_LOST 5 s later")
        }
    }

    /// The command lines of the processes inside `namespace`.
    static func commandLines(in namespace: NetworkNamespace) -> [String] {
        namespace.processIDs().compactMap { pid in
            FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { String(decoding: $0.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self) }
        }
    }
}
