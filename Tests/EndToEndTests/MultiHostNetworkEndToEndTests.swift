import Foundation
import Testing
import TestSupport

/// One network across hypervisors: three hypervisor namespaces, each with its three agents,
/// joined by an underlay; a spec whose two VMs `different_host` puts on two of them. Each guest
/// gets its NIC's fixed address by DHCP — from the one dnsmasq of the network, on whichever host
/// serves it, across the VXLAN overlay for the other — and each reaches the other, as their
/// serial consoles say. Removing the VM on the DHCP server's host leaves the other connected.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase && NetworkNamespace.isSupported))
struct MultiHostNetworkEndToEndTests {
    static let addresses = ["web1": "192.168.0.1", "web2": "192.168.0.2"]
    /// The DHCP server's address on the network (the highest outside the range, by the porter's rule).
    static let serverAddress = "192.168.0.253"

    static func document(kernel: String, initrd: String) -> String {
        func vm(_ name: String, pinging other: String) -> String {
            """
              \(name):
                type: resource/vm/kvm
                arch: amd64
                vcpus: 1
                memory: 256mb
                kernel: \(kernel)
                initrd: \(initrd)
                cmdline: console=ttyS0 n0core.ping=\(addresses[other]!),\(serverAddress)
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
            \(vm("web1", pinging: "web2"))\(vm("web2", pinging: "web1"))  net:
                type: resource/network/vlan
                subnets:
                  - cidr: 192.168.0.0/24
                    dhcp:
                      range: 192.168.0.1-192.168.0.127
                      gateway: 192.168.0.254
                parameters: {vlan_id: 100}

            """
    }

    @Test func twoVMsOnTwoHostsGetTheirFixedAddressesAndReachEachOther() async throws {
        let guest = try GuestFixture.build()
        try await Cluster.run(hypervisors: 3) { cluster in
            var images: (kernel: String, initrd: String)?
            for hypervisor in cluster.hypervisors { images = try guest.install(in: hypervisor.imagesDirectory) }
            let created = try cluster.api(.post, "/api/spec", body: Self.document(kernel: images!.kernel, initrd: images!.initrd))
            try #require(created.status == 201, "POST /api/spec answered \(created.status): \(created.body)")
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
            let specID = try #require(answer["id"] as? Int)
            let spec = try #require(answer["spec"] as? [String: [String: Any]])
            let vmIDs = try ["web1", "web2"].map { try #require(spec[$0]?["id"] as? String) }
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
            #expect(vmHosts[0].index != vmHosts[1].index, "different_host: the VMs are on two hosts")
            let networkID = try #require(spec["net"]?["id"] as? String)
            let server = try #require(edges.first { $0.source == networkID && $0.relation == "n0stack/n0core/network/dhcp_server" }
                .flatMap { hostOf[$0.target] }, "the network names no DHCP server")
            let bridge = "br-" + networkID.replacingOccurrences(of: "-", with: "").prefix(12)
            let dnsmasqs = cluster.hypervisors.map { hypervisor in
                Self.commandLines(in: hypervisor.namespace).filter { $0.contains("dnsmasq") && $0.contains(bridge) }.count
            }
            #expect(dnsmasqs.reduce(0, +) == 1 && dnsmasqs[server.index] == 1,
                    "one dnsmasq for the network, on the DHCP server's host: \(dnsmasqs)")
            for (name, (id, hypervisor)) in zip(["web1", "web2"], zip(vmIDs, vmHosts)) {
                print("\(name) (\(id)) on hypervisor \(hypervisor.index): host \(hypervisor.hostID), namespace "
                    + "\(hypervisor.namespace.name), underlay \(hypervisor.underlayAddress ?? "-")")
            }
            print("network \(networkID): DHCP served by hypervisor \(server.index)'s porter; dnsmasq per hypervisor \(dnsmasqs)")

            func console(_ index: Int) -> String { "\(vmHosts[index].computeStateDirectory)/console/n0-\(vmIDs[index]).log" }
            for (index, name) in ["web1", "web2"].enumerated() {
                let other = name == "web1" ? "web2" : "web1"
                let lease = try await Self.waitForLine("LEASE ", in: console(index), timeout: .seconds(120))
                #expect(lease == "LEASE \(Self.addresses[name]!)", "\(name)'s fixed address, whichever host it is on")
                let detail = try await Self.waitForLine("LEASE_DETAIL ", in: console(index), timeout: .seconds(5))
                let reply = try await Self.waitForLine("PING_REPLY \(Self.addresses[other]!)", in: console(index),
                                                       timeout: .seconds(90))
                print("\(name) console: \(lease) | \(detail) | \(reply)")
            }

            // Remove the VM on the DHCP server's host (a new version without it): the other,
            // on another host, still reaches the server's address across the overlay.
            let kept = vmHosts[0].index == server.index ? 1 : 0
            let removed = 1 - kept
            if vmHosts[kept].index == server.index {
                Issue.record("neither VM is off the DHCP server's host")
                return
            }
            let stored = try cluster.api(.get, "/api/spec/\(specID)/versions/0", accept: "application/json")
            var document = try #require(try JSONSerialization.jsonObject(with: Data(stored.body.utf8)) as? [String: Any])
            var objects = try #require(document["spec"] as? [String: Any])
            objects[["web1", "web2"][removed]] = nil
            document["spec"] = objects
            let body = String(decoding: try JSONSerialization.data(withJSONObject: document), as: UTF8.self)
            let replaced = try cluster.api(.put, "/api/spec/\(specID)", body: body)
            try #require(replaced.status == 200, "PUT answered \(replaced.status): \(replaced.body)")
            try await cluster.waitForState("applied", spec: specID, version: 1, timeout: .seconds(120))
            let removedHost = vmHosts[removed]
            #expect(!Self.commandLines(in: removedHost.namespace).contains {
                $0.contains("qemu-system") && $0.contains("n0-\(vmIDs[removed])")
            }, "the removed VM's guest is gone")
            let lost = try await Self.waitForLine("PING_LOST \(Self.addresses[["web1", "web2"][removed]]!)", in: console(kept),
                                                  timeout: .seconds(30))
            // Still connected: replies from the DHCP server's address on the other host keep
            // coming (the guest would print PING_LOST for it otherwise).
            let before = try String(contentsOfFile: console(kept), encoding: .utf8)
            try await Task.sleep(for: .seconds(5))
            let after = try String(contentsOfFile: console(kept), encoding: .utf8)
            #expect(before.contains("PING_REPLY \(Self.serverAddress)"), "it reached the server's host across the overlay")
            #expect(!after.contains("PING_LOST \(Self.serverAddress)"), "and still does after the other VM went")
            print("after removing \(["web1", "web2"][removed]): \(["web1", "web2"][kept]) console: \(lost); "
                + "PING_LOST \(Self.serverAddress) seen: \(after.contains("PING_LOST \(Self.serverAddress)"))")
        }
    }

    /// The command lines of the processes inside `namespace`.
    static func commandLines(in namespace: NetworkNamespace) -> [String] {
        namespace.processIDs().compactMap { pid in
            FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map { String(decoding: $0.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self) }
        }
    }

    static func waitForLine(_ prefix: String, in path: String, timeout: Duration) async throws -> String {
        try await HostView.waitForLine(prefix: prefix, in: path, timeout: timeout)
    }
}
