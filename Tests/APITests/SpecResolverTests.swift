import Messages
import TestSupport
import Testing

@testable import API

/// Resolution of submitted documents, without I/O: ids, defaults, references and every rule
/// that makes a document invalid, each reported with the path of its field.
@Suite struct SpecResolverTests {
    static func decode(_ yaml: String) throws -> SpecDocument {
        try MessageCodec.decode(SpecDocument.self, from: yaml, format: .yaml)
    }

    static func resolve(_ yaml: String, context: ResolutionContext = ResolutionContext()) throws -> Result<ResolvedSpec, DocumentError> {
        SpecResolver.resolve(try decode(yaml), context: context)
    }

    static func problems(_ yaml: String, context: ResolutionContext = ResolutionContext()) throws -> [FieldProblem] {
        switch try resolve(yaml, context: context) {
        case .success: []
        case .failure(let error): error.problems
        }
    }

    /// The scheduler's own instructions (a drain's move, agents to avoid) come only from n0core's
    /// services: from a user they would move objects or steer placement, so they are refused.
    @Test(arguments: ["n0stack/n0core/scheduler/draining_host", "n0stack/n0core/scheduler/avoid_agents"])
    func serviceAnnotationsAreRefused(key: String) throws {
        let problems = try Self.problems("""
            annotations:
              \(key): 85cf3a3a-18e4-4fe2-b406-9e79079cae07
            spec:
              disk: {type: resource/volume/file, size: 1gb}
            """)
        #expect(problems.map(\.path) == ["annotations.\(key)"])
        #expect(problems.first?.message == "is set by n0core's services, not by users")
    }

    @Test func seedRequestResolves() throws {
        let resolved = try Self.resolve(SeedDocuments.submittedSpec).get()
        #expect(resolved.objects.count == 4)
        let types = Set(resolved.objects.compactMap(\.type))
        #expect(types == [.vmKVM, .volumeFile, .nic, .networkVLAN])
        // Every object has an id and its type's default desired state.
        for object in resolved.objects {
            #expect(object.id != nil)
            #expect(object.desiredState == object.type?.defaultDesiredState)
            // Dependencies name other objects by id only.
            for dependency in object.dependencies ?? [] {
                #expect(dependency.object.type == nil && dependency.object.variable == nil && dependency.object.id != nil)
            }
        }
        let web = try #require(resolved.document.spec["web"])
        #expect(web.name == "web")
        #expect(resolved.document.spec["var_network"]?.name == "vlan_network")
        // The NIC's variable reference is kept in the answer, and resolved to the network's id in the flat list.
        let nic = try #require(resolved.objects.first { $0.type == .nic })
        let network = try #require(resolved.objects.first { $0.type == .networkVLAN })
        #expect(nic.dependencies?.first?.object.id == network.id)
        #expect(web.dependencies?[0].object.dependencies?[0].object.variable == "var_network")
        let vm = try #require(resolved.objects.first { $0.type == .vmKVM })
        #expect(vm.dependencies?.count == 2)
        #expect(vm.dependencies?.first { $0.property.bootPriority == 1 } != nil)
    }

    @Test func unknownVariableNamesTheField() throws {
        let yaml = SeedDocuments.submittedSpec.replacingOccurrences(of: "variable: var_network", with: "variable: no_such")
        let problems = try Self.problems(yaml)
        #expect(problems.map(\.path) == ["spec.web.dependencies[0].object.dependencies[0].object.variable"])
        #expect(problems.first?.message.contains("unknown variable 'no_such'") == true)
    }

    @Test func fixedAddressOutsideTheSubnet() throws {
        let yaml = SeedDocuments.submittedSpec.replacingOccurrences(of: "- 192.168.0.1\n", with: "- 10.0.0.1\n")
        let problems = try Self.problems(yaml)
        #expect(problems.map(\.path) == ["spec.web.dependencies[0].object.ip_addresses[0]"])
        #expect(problems.first?.message.contains("not inside") == true)
    }

    @Test func dhcpRangeGatewayAndNameserverOutsideTheSubnet() throws {
        let yaml = SeedDocuments.submittedSpec
            .replacingOccurrences(of: "range: 192.168.0.1-192.168.0.127", with: "range: 192.168.0.1-192.168.1.127")
            .replacingOccurrences(of: "gateway: 192.168.0.254", with: "gateway: 192.168.5.254")
            .replacingOccurrences(of: "- 192.168.0.254", with: "- 10.1.1.1")
        let paths = Set(try Self.problems(yaml).map(\.path))
        #expect(paths == [
            "spec.var_network.subnets[0].dhcp.range",
            "spec.var_network.subnets[0].dhcp.gateway",
            "spec.var_network.subnets[0].dhcp.nameservers[0]",
        ])
    }

    @Test func badCIDR() throws {
        let yaml = SeedDocuments.submittedSpec.replacingOccurrences(of: "cidr: 192.168.0.0/24", with: "cidr: 192.168.0.1/24")
        let problems = try Self.problems(yaml)
        #expect(problems.contains { $0.path == "spec.var_network.subnets[0].cidr" && $0.message.contains("host bits") })
    }

    @Test func vcpusAndMemoryBounds() throws {
        let yaml = SeedDocuments.submittedSpec
            .replacingOccurrences(of: "vcpus: 2", with: "vcpus: 0")
            .replacingOccurrences(of: "memory: 4gb", with: "memory: 100tb")
        let paths = Set(try Self.problems(yaml).map(\.path))
        #expect(paths == ["spec.web.vcpus", "spec.web.memory"])
    }

    @Test func referenceCycle() throws {
        let yaml = """
        spec:
          a:
            type: resource/nic
            dependencies:
              - object: {variable: b}
                property: {r: n0stack/n0core/port/network}
          b:
            type: resource/nic
            dependencies:
              - object: {variable: a}
                property: {r: n0stack/n0core/port/network}
        """
        let problems = try Self.problems(yaml)
        #expect(problems.contains { $0.message.contains("reference cycle") })
    }

    @Test func idThatDoesNotExist() throws {
        let yaml = """
        spec:
          nic:
            type: resource/nic
            dependencies:
              - object: {id: 8451da31-5e3a-4c46-aa3a-2a557382a6cd}
                property: {r: n0stack/n0core/port/network}
        """
        let problems = try Self.problems(yaml)
        #expect(problems.map(\.path) == ["spec.nic.dependencies[0].object.id"])
        #expect(problems.first?.message.contains("does not exist") == true)
    }

    @Test func resourceOwnedByAnotherSpec() throws {
        let volumeID = ObjectID("d99163ed-0093-40a0-a61b-365a1aece509")!
        let existing = ExistingResource(object: Object(type: .volumeFile, id: volumeID, desiredState: "allocated", size: Size(10, .gb)), specID: 7)
        let yaml = """
        spec:
          grow:
            type: resource/vm/kvm
            vcpus: 1
            memory: 1gb
            dependencies:
              - object: {id: d99163ed-0093-40a0-a61b-365a1aece509, size: 100gb}
                property: {r: n0stack/n0core/vm/attachments}
        """
        let problems = try Self.problems(yaml, context: ResolutionContext(existing: [volumeID: existing]))
        #expect(problems.map(\.path) == ["spec.grow.dependencies[0].object.id"])
        #expect(problems.first?.message.contains("belongs to spec 7") == true)
        // The same change through the owning spec is accepted, and the volume is part of it.
        let resolved = try Self.resolve(yaml, context: ResolutionContext(existing: [volumeID: existing], specID: 7)).get()
        #expect(resolved.objects.first { $0.id == volumeID }?.size == Size(100, .gb))
    }

    /// The mask answers show in place of a password, sent back, keeps the stored password; it
    /// never becomes the password, and a new VM cannot have it.
    @Test func aMaskedVNCPasswordSentBackKeepsTheStoredOne() throws {
        let vmID = ObjectID("56410722-d507-472a-a800-c89211b7c261")!
        let stored = Object(type: .vmKVM, id: vmID, name: "web", desiredState: "running", arch: "amd64", vcpus: 2,
                            memory: Size(4, .gb), vncPassword: "hogehoge")
        let context = ResolutionContext(existing: [vmID: ExistingResource(object: stored, specID: 7)], specID: 7)
        let readBack = """
        version: 0
        spec:
          web:
            type: resource/vm/kvm
            id: 56410722-d507-472a-a800-c89211b7c261
            status: running
            name: web
            arch: amd64
            vcpus: 2
            memory: 4gb
            vnc_password: '********'
        """
        let resolved = try Self.resolve(readBack, context: context).get()
        #expect(resolved.objects.first?.vncPassword == "hogehoge", "the Spec message carries the stored password")
        #expect(resolved.document.spec["web"]?.vncPassword == "hogehoge", "the stored version holds it too")
        #expect(resolved.keptSecrets == [vmID])

        // A new password is a new password.
        let changed = try Self.resolve(readBack.replacingOccurrences(of: "'********'", with: "newpass1"), context: context).get()
        #expect(changed.objects.first?.vncPassword == "newpass1")
        #expect(changed.keptSecrets.isEmpty)

        let fresh = readBack.replacingOccurrences(of: "    id: 56410722-d507-472a-a800-c89211b7c261\n", with: "")
        let problems = try Self.problems(fresh, context: context)
        #expect(problems.map(\.path) == ["spec.web.vnc_password"])
        #expect(problems.first?.message.contains("cannot be one") == true, "\(problems)")
    }

    @Test func duplicateFixedAddressOnOneNetwork() throws {
        let yaml = """
        spec:
          net:
            type: resource/network/vlan
            subnets: [{cidr: 10.0.0.0/24, dhcp: {range: 10.0.0.10-10.0.0.100, gateway: 10.0.0.1}}]
          a:
            type: resource/nic
            ip_addresses: [10.0.0.20]
            dependencies: [{object: {variable: net}, property: {r: n0stack/n0core/port/network}}]
          b:
            type: resource/nic
            ip_addresses: [10.0.0.20]
            dependencies: [{object: {variable: net}, property: {r: n0stack/n0core/port/network}}]
        """
        let problems = try Self.problems(yaml)
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("already given") == true)
    }

    @Test func wrongRelationTarget() throws {
        let yaml = """
        spec:
          vol:
            type: resource/volume/file
            size: 1gb
          nic:
            type: resource/nic
            dependencies: [{object: {variable: vol}, property: {r: n0stack/n0core/port/network}}]
        """
        let problems = try Self.problems(yaml)
        #expect(problems.map(\.path) == ["spec.nic.dependencies[0].object"])
    }

    /// The relations the scheduler puts in a network's Request (its peers, its DHCP server) and
    /// `scheduled` are not for users: a document naming them is refused at the field.
    @Test func relationsTheSchedulerSetsAreRefusedInADocument() throws {
        for relation in ["n0stack/n0core/network/peer", "n0stack/n0core/network/dhcp_server", "n0stack/n0core/resource/scheduled"] {
            let yaml = """
            spec:
              other:
                type: resource/network/vlan
              net:
                type: resource/network/vlan
                dependencies: [{object: {variable: other}, property: {r: \(relation)}}]
            """
            let problem = try Self.problems(yaml).first { $0.path == "spec.net.dependencies[0].property.r" }
            #expect(problem?.message.contains("is set by the scheduler, not by users") == true, "\(relation): \(String(describing: problem))")
        }
    }

    @Test func missingRequiredFields() throws {
        let yaml = """
        spec:
          vm: {type: resource/vm/kvm}
          vol: {type: resource/volume/file}
          net: {type: resource/network/vlan}
        """
        let paths = Set(try Self.problems(yaml).map(\.path))
        #expect(paths == ["spec.vm.vcpus", "spec.vm.memory", "spec.vol.size", "spec.net.subnets"])
    }

    @Test func vncPasswordLongerThanVNCAllows() throws {
        let yaml = SeedDocuments.submittedSpec.replacingOccurrences(of: "vnc_password: hogehoge", with: "vnc_password: hogehogehoge")
        #expect(try Self.problems(yaml).map(\.path) == ["spec.web.vnc_password"])
    }

    @Test func objectLimit() throws {
        var yaml = "spec:\n"
        for index in 0..<5 { yaml += "  v\(index): {type: resource/volume/file, size: 1gb}\n" }
        let problems = try Self.problems(yaml, context: ResolutionContext(limits: SpecLimits(maxObjects: 4, maxDepth: 8)))
        #expect(problems.map(\.path) == ["spec"])
    }

    /// Two VMs under `annotations`.
    static func twoVMs(_ annotations: String) -> String {
        """
        annotations:
        \(annotations)
        spec:
          a: {type: resource/vm/kvm, vcpus: 1, memory: 1gb}
          b: {type: resource/vm/kvm, vcpus: 1, memory: 1gb}
        """
    }

    @Test func differentHostIsABooleanThatContradictsSameHost() throws {
        let differentHost = "annotations.n0stack/scheduling/different_host"
        #expect(try Self.problems(Self.twoVMs("  n0stack/scheduling/different_host: true")).isEmpty)
        #expect(try Self.problems(Self.twoVMs("  n0stack/scheduling/different_host: sometimes")).map(\.path) == [differentHost])

        let both = try Self.problems(Self.twoVMs("  n0stack/scheduling/same_host: true\n  n0stack/scheduling/different_host: true"))
        #expect(both.map(\.path) == [differentHost])
        #expect(both.first?.message.contains("annotations.n0stack/scheduling/same_host is true") == true)
        #expect(try Self.problems(Self.twoVMs("  n0stack/scheduling/same_host: false\n  n0stack/scheduling/different_host: true")).isEmpty)
    }

    @Test func differentHostWithAPinnedHostHoldsOneVMAtMost() throws {
        let pinned = "  n0stack/scheduling/different_host: true\n  n0stack/scheduling/host_id: 85cf3a3a-18e4-4fe2-b406-9e79079cae07"
        let problems = try Self.problems(Self.twoVMs(pinned))
        #expect(problems.map(\.path) == ["annotations.n0stack/scheduling/different_host"])
        #expect(problems.first?.message.contains("pins the spec to host 85cf3a3a-18e4-4fe2-b406-9e79079cae07: its 2 VMs would need 2 different hosts") == true)

        let oneVM = Self.twoVMs(pinned).replacingOccurrences(of: "  b: {type: resource/vm/kvm, vcpus: 1, memory: 1gb}", with: "")
        #expect(try Self.problems(oneVM).isEmpty)
        let oneDeleted = Self.twoVMs(pinned).replacingOccurrences(of: "memory: 1gb}\n  b: {", with: "memory: 1gb}\n  b: {status: deleted, ")
        #expect(try Self.problems(oneDeleted).isEmpty, "a VM being deleted needs no host")
    }
}
