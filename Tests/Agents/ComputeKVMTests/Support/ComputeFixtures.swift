import Foundation
import Messages
import TestSupport

@testable import ComputeKVM

/// The seed's VM (section 5.1) with its attachments ready, as the runtime hands it to the
/// driver once the volume's and the network's Notifies have come: a `file://` url on the
/// volume, a bridge on the NIC's network, and a real MAC in place of the seed's placeholder.
enum ComputeFixtures {
    static let vmID = ObjectID("56410722-d507-472a-a800-c89211b7c261")!
    static let nicID = ObjectID("a1f6a79b-7ad0-499e-b912-44eb73ea0f81")!
    static let volumeID = ObjectID("d99163ed-0093-40a0-a61b-365a1aece509")!
    static let networkID = ObjectID("8451da31-5e3a-4c46-aa3a-2a557382a6cd")!
    static let password = "hogehoge"
    static let mac = "52:54:00:ab:cd:ef"

    static func seedRequest() throws -> RequestMessage {
        try MessageCodec.decode(RequestMessage.self, from: SeedDocuments.requestVM, format: .yaml)
    }

    /// The seed VM with `url`, `bridge` and `hw_addr` filled in.
    static func readyVM(volumePath: String = "/var/lib/n0core/volumes/d99163ed-0093-40a0-a61b-365a1aece509",
                        bridge: String = "br-8451da315e3a", mac: String = mac) throws -> Object {
        try fill(try seedRequest().object, volumePath: volumePath, bridge: bridge, mac: mac)
    }

    /// `vm` with every attached volume's url set to `volumePath`, every NIC's MAC to `mac` and
    /// every NIC's network's bridge to `bridge` (nil leaves them as they are).
    static func fill(_ vm: Object, volumePath: String?, bridge: String?, mac: String?) throws -> Object {
        var vm = vm
        vm.dependencies = vm.dependencies?.map { dependency in
            var dependency = dependency
            dependency.object = dependency.object.mapObjects { object in
                var object = object
                switch object.type {
                case .volumeFile: if let volumePath { object.url = "file://" + volumePath }
                case .nic: if let mac { object.hwAddr = mac }
                case .networkVLAN: if let bridge { object.bridge = bridge }
                default: break
                }
                return object
            }
            return dependency
        }
        return vm
    }

    /// A volume attachment with a boot priority.
    static func volume(_ id: ObjectID = ObjectID(), path: String, priority: Int?) -> Dependency {
        Dependency(object: Object(type: .volumeFile, id: id, desiredState: "allocated", url: "file://" + path),
                   property: DependencyProperty(relation: Relation.vmAttachments, bootPriority: priority))
    }

    /// A NIC attachment on a network with `bridge`.
    static func nic(mac: String, bridge: String?) -> Dependency {
        let network = Object(type: .networkVLAN, id: ObjectID(), desiredState: "applied", bridge: bridge)
        let nic = Object(type: .nic, id: ObjectID(), desiredState: "attached", hwAddr: mac,
                         dependencies: [Dependency(object: network, property: DependencyProperty(relation: Relation.portNetwork))])
        return Dependency(object: nic, property: DependencyProperty(relation: Relation.vmAttachments))
    }

    static let settings = DomainSettings(virtType: .qemu, vncListen: "127.0.0.1", consoleDirectory: "/var/lib/n0core/compute-kvm/console")

    /// Images as if every name were a file of `/var/lib/n0core/images`, for definitions decided
    /// without a host.
    static func locate(_ name: ImageName, _ field: String) -> String {
        "/var/lib/n0core/images/\(name)"
    }
}
