/// The seed's example (`shared/seed/ex_launching_vm.md`) as the benchmark sends and places it.
///
/// One change from the seed: the `n0stack/scheduling/host_id` annotation is dropped, so the
/// scheduler spreads specs over every simulated host instead of piling them on the one host the
/// seed pins. `same_host` stays, so each spec still lands whole on one host. Every `POST` of the
/// same document makes new resources: the API assigns new ids to every object of each spec.
public enum BenchDocuments {
    /// Seed 1.1, what a user POSTs to `/api/spec/`, without the host pin.
    public static let seedSpec = """
        version: 0
        annotations:
          n0stack/scheduling/same_host: true
        spec:
          web:
            type: resource/vm/kvm
            arch: amd64
            vcpus: 2
            memory: 4gb
            vnc_password: hogehoge
            dependencies:
              - object:
                  type: resource/nic
                  ip_addresses:
                    - 192.168.0.1
                  relatioins:
                    - object:
                        variable: var_network
                      property:
                        r: n0stack/n0core/port/network
                property:
                  r: n0stack/n0core/vm/attachments
              - object:
                  type: resource/volume/file
                  name: new_volume
                  size: 10gb
                property:
                  r: n0stack/n0core/vm/attachments
                  n0stack/n0core/vm/boot_prority: 1
          var_network:
            type: resource/network/vlan
            name: vlan_network
            subnets:
              - cidr: 192.168.0.0/24
                dhcp:
                  range: 192.168.0.1-192.168.0.127
                  nameservers:
                    - 192.168.0.254
                  gateway: 192.168.0.254
            parameters:
              vlan_id: 100
        """

    /// Seed 3, the `Spec` message the scheduler receives for it, without the host pin.
    public static let seedSpecMessage = """
        id: 100
        annotations:
          n0stack/scheduling/same_host: true
        spec:
          - type: resource/vm/kvm
            id: 56410722-d507-472a-a800-c89211b7c261
            status: running
            name: web
            arch: amd64
            vcpus: 2
            memory: 4gb
            vnc_password: hogehoge
            dependencies:
              - object:
                  id: a1f6a79b-7ad0-499e-b912-44eb73ea0f81
                property:
                  r: n0stack/n0core/vm/attachments
              - object:
                  id: d99163ed-0093-40a0-a61b-365a1aece509
                property:
                  r: n0stack/n0core/vm/attachments
                  n0stack/n0core/vm/boot_prority: 1
          - type: resource/volume/file
            id: d99163ed-0093-40a0-a61b-365a1aece509
            status: allocated
            name: new_volume
            size: 10gb
          - type: resource/nic
            id: a1f6a79b-7ad0-499e-b912-44eb73ea0f81
            status: attached
            ip_addresses:
              - 192.168.0.1
            relatioins:
              - object:
                  id: 8451da31-5e3a-4c46-aa3a-2a557382a6cd
                property:
                  r: n0stack/n0core/port/network
          - type: resource/network/vlan
            id: 8451da31-5e3a-4c46-aa3a-2a557382a6cd
            state: applied
            name: vlan_network
            subnets:
              - cidr: 192.168.0.0/24
                dhcp:
                  range: 192.168.0.1-192.168.0.127
                  nameservers:
                    - 192.168.0.254
                  gateway: 192.168.0.254
            parameters:
              vlan_id: 100
        """
}
