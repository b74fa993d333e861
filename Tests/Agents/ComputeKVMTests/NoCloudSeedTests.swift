import AgentRuntime
import Foundation
import Messages
import Testing

@testable import ComputeKVM

/// The seed's files as decided from the VM alone: the format `deploy/guest/make-seed.sh` writes
/// and the guest image reads (docs/guest-image.md), with values that cannot break the YAML.
@Suite struct NoCloudSeedTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGV4VFf1TsgCpoy31/Jia/OUafbRdt9ipS4TW7KlWWh8 me@laptop"

    func seed(_ change: (inout Object) -> Void = { _ in }) throws -> NoCloudSeed {
        var vm = try ComputeFixtures.readyVM()
        change(&vm)
        return try NoCloudSeed(vm: vm)
    }

    func failure(_ change: (inout Object) -> Void) throws -> String? {
        do {
            _ = try seed(change)
            return nil
        } catch let failure as AgentFailure {
            return failure.message
        }
    }

    @Test func theSeedVMWithHostnameAndKey() throws {
        let seed = try seed {
            $0.hostname = "web-1"
            $0.sshAuthorizedKeys = [Self.key]
        }
        #expect(seed.metaData == """
            instance-id: "56410722-d507-472a-a800-c89211b7c261"
            local-hostname: "web-1"
            public-keys:
              - "\(Self.key)"

            """)
        #expect(seed.userData == """
            #cloud-config
            hostname: "web-1"
            disable_root: false
            ssh_authorized_keys:
              - "\(Self.key)"

            """)
        // The seed's NIC: 192.168.0.1 in 192.168.0.0/24, gateway and nameserver .254.
        #expect(seed.networkConfig == """
            version: 2
            ethernets:
              eth0:
                match:
                  macaddress: "52:54:00:ab:cd:ef"
                set-name: eth0
                addresses:
                  - 192.168.0.1/24
                routes:
                  - to: 0.0.0.0/0
                    via: 192.168.0.254
                nameservers:
                  addresses: [192.168.0.254]

            """)
        #expect(seed.files.map(\.name) == ["meta-data", "user-data", "network-config"])
    }

    @Test func withoutFieldsTheNameIsTheHostNameAndThereAreNoKeys() throws {
        let seed = try seed { $0.name = "My Web_VM" }
        #expect(seed.metaData == "instance-id: \"56410722-d507-472a-a800-c89211b7c261\"\nlocal-hostname: \"my-web-vm\"\n")
        #expect(seed.userData == "#cloud-config\nhostname: \"my-web-vm\"\ndisable_root: false\n")
        let unnamed = try self.seed { $0.name = "ウェブ" }
        #expect(unnamed.metaData.contains("local-hostname: \"n0-56410722\""))
    }

    /// The user's user-data goes in as it is; the host name and keys still reach the guest
    /// through meta-data.
    @Test func userDataIsPassedAsItIs() throws {
        let script = "#!/bin/sh\necho \"hi\" > /root/hi\n"
        let seed = try seed {
            $0.userData = script
            $0.hostname = "web-1"
            $0.sshAuthorizedKeys = [Self.key]
        }
        #expect(seed.userData == script)
        #expect(seed.metaData.contains("local-hostname: \"web-1\"") && seed.metaData.contains(Self.key))
    }

    @Test func nicsWithoutAddressesAskDHCPAndOnlyTheFirstGatewayRoutes() throws {
        let network = Object(type: .networkVLAN, id: ObjectID(), bridge: "br-x",
                             subnets: [Subnet(cidr: "10.0.0.0/16", dhcp: DHCP(nameservers: ["10.0.0.2", "10.0.0.3"], gateway: "10.0.0.1"))])
        func nic(_ mac: String, _ addresses: [String]?) -> Dependency {
            Dependency(object: Object(type: .nic, id: ObjectID(), hwAddr: mac, ipAddresses: addresses, dependencies: [
                Dependency(object: network, property: DependencyProperty(relation: Relation.portNetwork)),
            ]), property: DependencyProperty(relation: Relation.vmAttachments))
        }
        let seed = try seed {
            $0.dependencies = [nic("52:54:00:00:00:01", nil), nic("52:54:00:00:00:02", ["10.0.5.6"]),
                               nic("52:54:00:00:00:03", ["10.0.5.7", "10.0.5.8"])]
        }
        let config = try #require(seed.networkConfig)
        #expect(config.contains("  eth0:\n    match:\n      macaddress: \"52:54:00:00:00:01\"\n    set-name: eth0\n    dhcp4: true\n"))
        #expect(config.contains("  eth1:\n    match:\n      macaddress: \"52:54:00:00:00:02\"\n    set-name: eth1\n    addresses:\n      - 10.0.5.6/16\n    routes:\n"))
        #expect(config.contains("    addresses:\n      - 10.0.5.7/16\n      - 10.0.5.8/16\n    nameservers:\n      addresses: [10.0.0.2, 10.0.0.3]\n"))
        #expect(config.components(separatedBy: "routes:").count == 2, "one default route")

        let none = try self.seed { $0.dependencies = [] }
        #expect(none.networkConfig == nil)
    }

    @Test func valuesThatCouldBreakTheYAMLAreRefused() throws {
        #expect(try failure { $0.hostname = "web\nruncmd: [reboot]" }?.contains("hostname may hold only") == true)
        #expect(try failure { $0.sshAuthorizedKeys = [Self.key + "\n- evil"] }?.contains("ssh_authorized_keys[0] must be one line") == true)
        #expect(try failure { $0.sshAuthorizedKeys = Array(repeating: Self.key, count: 33) }?.contains("at most 32") == true)
        #expect(try failure { $0.userData = String(repeating: "x", count: 16385) }?.contains("at most 16384") == true)
        #expect(try failure { $0.userData = Object.passwordMask }?.contains("arrived masked") == true)
        let outside = try failure { vm in
            vm = try! ComputeFixtures.fill(vm, volumePath: nil, bridge: nil, mac: nil)
            vm.dependencies = vm.dependencies?.map { dependency in
                var dependency = dependency
                dependency.object = dependency.object.mapObjects { object in
                    var object = object
                    if object.type == .nic { object.ipAddresses = ["172.16.0.1"] }
                    return object
                }
                return dependency
            }
        }
        #expect(outside?.contains("172.16.0.1 is in no subnet") == true)
    }

    @Test func quotingEscapesWhateverSlipsThrough() {
        #expect(YAMLScalar.quoted("a\"b\\c\nd\u{1b}") == "\"a\\\"b\\\\c\\nd\\u001b\"")
        #expect(YAMLScalar.quoted("plain key@host") == "\"plain key@host\"")
    }
}
