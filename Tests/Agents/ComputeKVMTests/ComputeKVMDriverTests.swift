import AgentRuntime
import Foundation
import Messages
import Testing

@testable import ComputeKVM

/// The driver's decisions against a fake hypervisor: which libvirt calls each desired state
/// makes, from each state the domain can be in.
@Suite struct ComputeKVMDriverTests {
    let hypervisor: FakeHypervisor
    let logs = LogRecorder()
    let driver: ComputeKVMDriver
    let id = ComputeFixtures.vmID

    init() {
        self.init(guestHonoursShutdown: true)
    }

    init(guestHonoursShutdown: Bool) {
        hypervisor = FakeHypervisor(guestHonoursShutdown: guestHonoursShutdown)
        let configuration = ComputeKVMConfiguration(
            libvirtURI: "test:///fake", virtType: .qemu, shutdownTimeout: .milliseconds(200),
            consoleDirectory: NSTemporaryDirectory() + "n0core-compute-unit-\(UUID().uuidString)")
        driver = ComputeKVMDriver(configuration: configuration, hypervisor: hypervisor, logger: logs.logger,
                                  shutdownPollInterval: .milliseconds(10))
    }

    func vm(_ state: String, change: (inout Object) -> Void = { _ in }) throws -> Object {
        var vm = try ComputeFixtures.readyVM()
        vm.desiredState = state
        change(&vm)
        return vm
    }

    @discardableResult
    func apply(_ state: String, change: (inout Object) -> Void = { _ in }) async throws -> ApplyOutcome {
        try await driver.apply(try vm(state, change: change))
    }

    @Test func runningDefinesAndStartsOnceHoweverOftenItIsApplied() async throws {
        let first = try await apply("running")
        #expect(hypervisor.calls == ["define \(id)", "start \(id)"])
        #expect(first.message == nil, "the runtime's 'Succeeded to create resource.'")
        #expect(first.object == (try vm("running") { $0.vncAddress = "127.0.0.1:5900" }),
                "the VM goes back as it came, password and all, as seed 5.3 shows, with its VNC address")

        hypervisor.clearCalls()
        let again = try await apply("running")
        #expect(hypervisor.calls.isEmpty, "an unchanged running VM is left alone")
        #expect(again.message == nil)
        #expect(hypervisor.domain(id)?.state == .running)
    }

    @Test func poweroffShutsTheGuestDownGracefully() async throws {
        try await apply("running")
        hypervisor.clearCalls()
        let outcome = try await apply("poweroff")
        #expect(hypervisor.calls == ["shutdown \(id)"])
        #expect(outcome.message == nil)
        #expect(hypervisor.domain(id)?.isActive == false)
        #expect(hypervisor.domain(id) != nil, "powered off, still defined")
    }

    @Test func poweroffStopsAGuestThatIgnoresTheRequestAfterTheTimeout() async throws {
        let suite = ComputeKVMDriverTests(guestHonoursShutdown: false)
        try await suite.apply("running")
        suite.hypervisor.clearCalls()
        let outcome = try await suite.apply("poweroff")
        #expect(suite.hypervisor.calls == ["shutdown \(id)", "destroy \(id)"])
        #expect(outcome.message == "Succeeded to power off resource: the guest did not shut down within 0.2 s and was stopped forcibly.")
        #expect(suite.hypervisor.domain(id)?.isActive == false)
    }

    @Test func poweroffOfAVMNeverStartedOnlyDefinesIt() async throws {
        try await apply("poweroff")
        #expect(hypervisor.calls == ["define \(id)"])
        #expect(hypervisor.domain(id)?.isActive == false)
    }

    @Test func savedSavesARunningGuestAndRunningRestoresIt() async throws {
        try await apply("running")
        hypervisor.clearCalls()
        try await apply("saved")
        #expect(hypervisor.calls == ["managedSave \(id)"])
        #expect(hypervisor.domain(id)?.managedSave == true)

        hypervisor.clearCalls()
        try await apply("saved")
        #expect(hypervisor.calls.isEmpty, "already saved")

        try await apply("running")
        #expect(hypervisor.calls == ["start \(id)"], "a start restores the managed save")
        #expect(hypervisor.domain(id)?.state == .running)
        #expect(hypervisor.domain(id)?.managedSave == false)
    }

    @Test func poweroffOfASavedVMDiscardsItsSavedState() async throws {
        try await apply("running")
        try await apply("saved")
        hypervisor.clearCalls()
        let outcome = try await apply("poweroff")
        #expect(hypervisor.calls == ["removeManagedSave \(id)"])
        #expect(outcome.message?.contains("its saved state was discarded") == true)
    }

    @Test func savingAVMThatIsOffSavesNothingAndSaysSo() async throws {
        let outcome = try await apply("saved")
        #expect(hypervisor.calls == ["define \(id)"])
        #expect(outcome.message?.contains("nothing to save") == true)
    }

    @Test func aPausedGuestIsResumed() async throws {
        try await apply("running")
        hypervisor.pause(id)
        hypervisor.clearCalls()
        try await apply("running")
        #expect(hypervisor.calls == ["resume \(id)"])
    }

    @Test func deletedStopsAndUndefinesAndIsDoneWhenNothingIsLeft() async throws {
        try await apply("running")
        hypervisor.clearCalls()
        try await apply("deleted")
        #expect(hypervisor.calls == ["destroy \(id)", "undefine \(id)"])
        #expect(hypervisor.domain(id) == nil)

        hypervisor.clearCalls()
        let again = try await driver.apply(Object(type: .vmKVM, id: id, desiredState: "deleted"))
        #expect(hypervisor.calls.isEmpty)
        #expect(again.object.id == id)
    }

    @Test func aChangedVersionOfARunningVMRedefinesItAndSaysARestartIsNeeded() async throws {
        try await apply("running")
        hypervisor.clearCalls()
        let outcome = try await apply("running") { vm in
            vm.vcpus = 4
            vm.memory = Size(8, .gb)
        }
        #expect(hypervisor.calls == ["define \(id)"], "redefined, not restarted behind the user's back")
        let message = try #require(outcome.message)
        #expect(message.hasPrefix("Succeeded to update resource: changed vcpus 2 → 4; memory 4gb → 8gb"))
        #expect(message.contains("the running guest still has the old settings"))
        #expect(message.contains("set status poweroff, then running"))
        let defined = try DomainXML.parse(hypervisor.domain(id)!.xml)
        #expect(defined.vcpus == 4 && defined.memoryKiB == 8 << 20)

        // The restart the message asks for applies it, and then there is nothing more to say.
        try await apply("poweroff") { $0.vcpus = 4; $0.memory = Size(8, .gb) }
        let restarted = try await apply("running") { $0.vcpus = 4; $0.memory = Size(8, .gb) }
        #expect(restarted.message == nil)
        #expect(try DomainXML.parse(hypervisor.domain(id)!.liveXML!).vcpus == 4)
    }

    @Test func aChangedVersionOfAStoppedVMNeedsNoRestart() async throws {
        try await apply("poweroff")
        hypervisor.clearCalls()
        let outcome = try await apply("poweroff") { vm in
            vm.dependencies = (vm.dependencies ?? []) + [ComputeFixtures.nic(mac: "52:54:00:00:00:02", bridge: "br-two")]
        }
        #expect(hypervisor.calls == ["define \(id)"])
        #expect(outcome.message?.contains("changed NICs") == true)
        #expect(outcome.message?.contains("restart") == false)
    }

    @Test func aFailedStartOfANewDomainReportsLibvirtsReasonAndLeavesNothingDefined() async throws {
        let reason = "Cannot access storage file '/nowhere/disk' (as uid:0, gid:0): No such file or directory"
        hypervisor.state.withLock {
            $0.startFailure = LibvirtError(operation: "virDomainCreate", code: 38, message: reason)
        }
        let error = await #expect(throws: AgentFailure.self) { try await self.apply("running") }
        #expect(error?.message == "libvirt could not start VM \(id) (domain n0-\(id)): \(reason)")
        #expect(hypervisor.calls == ["define \(id)", "start \(id)", "undefine \(id)"])
        #expect(hypervisor.domain(id) == nil)
    }

    @Test func libvirtsMessagesNeverCarryThePassword() async throws {
        hypervisor.state.withLock {
            $0.startFailure = LibvirtError(operation: "virDomainCreate", code: 1,
                                           message: "internal error: vnc password 'hogehoge' rejected")
        }
        let error = await #expect(throws: AgentFailure.self) { try await self.apply("running") }
        #expect(error?.message.contains("hogehoge") == false)
        #expect(error?.message.contains("vnc password '\(Object.passwordMask)' rejected") == true)
    }

    @Test func thePasswordIsInTheXMLLibvirtGetsAndInNoLogLine() async throws {
        try await apply("running")
        try await apply("running") { $0.vcpus = 3 }
        try await apply("saved")
        try await apply("poweroff")
        try await apply("deleted")
        hypervisor.state.withLock {
            $0.startFailure = LibvirtError(operation: "virDomainCreate", code: 1, message: "password hogehoge refused")
        }
        _ = try? await apply("running")

        let lines = logs.all
        #expect(lines.contains { $0.contains("defining a domain") && $0.contains("passwd='\(Object.passwordMask)'") },
                "the XML is logged, masked")
        #expect(lines.count >= 5)
        for line in lines {
            #expect(!line.contains(ComputeFixtures.password), "\(line)")
        }
    }

    @Test func theLibvirtXMLReallyCarriesThePassword() async throws {
        try await apply("running")
        let xml = try #require(hypervisor.domain(id)?.xml)
        #expect(xml.contains("passwd='\(ComputeFixtures.password)'"))
    }

    @Test func validateRefusesBadVMsButNotDeletionsOfThem() throws {
        #expect(throws: AgentFailure.self) { try driver.validate(try vm("running") { $0.vcpus = nil }) }
        #expect(throws: AgentFailure.self) { try driver.validate(try vm("hibernated")) }
        try driver.validate(Object(type: .vmKVM, id: id, desiredState: "deleted"))
        // The seed's request as it arrives (attachments not ready) passes once its MAC is real.
        let arriving = try ComputeFixtures.fill(try ComputeFixtures.seedRequest().object,
                                                volumePath: nil, bridge: nil, mac: ComputeFixtures.mac)
        try driver.validate(arriving)
    }

    /// 8 CPUs and 16 GiB (and 512 KiB) through Nova's defaults: 4 vCPUs a CPU, 512 MiB kept.
    @Test func capacityIsTheHostsCPUsAndWholeMegabytesOfMemoryThroughTheAllocationRatios() async throws {
        #expect(try await driver.physicalCapacity() == Capacity(vcpus: 8, memory: Size(16, .gb)))
        #expect(try await driver.capacity() == Capacity(vcpus: 32, memory: Size(16 * 1024 - 512, .mb)))
        let physical = ComputeKVMDriver(
            configuration: ComputeKVMConfiguration(consoleDirectory: "/nonexistent", allocation: .physical),
            hypervisor: hypervisor, logger: logs.logger)
        #expect(try await physical.capacity() == Capacity(vcpus: 8, memory: Size(16, .gb)))
        await driver.logCapacity()
        #expect(logs.all.contains { $0.contains("host capacity") && $0.contains("physical_vcpus=8") && $0.contains("allocatable_vcpus=32") },
                "\(logs.all)")
    }

    // MARK: VNC address

    @Test func eachRunningVMReportsTheVNCAddressLibvirtAssignedAndNoneWhenStopped() async throws {
        let first = try await apply("running")
        let other = ObjectID()
        let second = try await driver.apply(try vm("running") { $0.id = other })
        #expect(first.object.vncAddress == "127.0.0.1:5900")
        #expect(second.object.vncAddress == "127.0.0.1:5901", "autoport: no two guests share a port")
        #expect(try await apply("running").object.vncAddress == "127.0.0.1:5900", "a re-apply reads it again")
        #expect(try await apply("poweroff").object.vncAddress == nil)
        #expect(try await apply("deleted").object.vncAddress == nil)
    }

    @Test func theVNCAddressIsReadFromTheLiveXML() {
        func live(_ graphics: String) -> String {
            "<domain type='qemu'><name>n0-x</name><devices>\(graphics)</devices></domain>"
        }
        #expect(VNCAddress.read(liveXML: live("<graphics type='vnc' port='5903' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>")) == "127.0.0.1:5903")
        #expect(VNCAddress.read(liveXML: live("<graphics type='vnc' port='5900' autoport='yes'><listen type='address' address='::1'/></graphics>")) == "[::1]:5900")
        #expect(VNCAddress.read(liveXML: live("<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>")) == nil,
                "not running: libvirt writes -1")
        #expect(VNCAddress.read(liveXML: live("<graphics type='spice' port='5900' listen='127.0.0.1'/>")) == nil)
        #expect(VNCAddress.read(liveXML: live("")) == nil)
        #expect(VNCAddress.read(liveXML: "not xml") == nil)
    }

    // MARK: Power across reboots

    @Test func onlyARunningVMFoundOffOrSavedIsStartedAtAgentStart() {
        func held(_ state: String?) -> Object { Object(type: .vmKVM, id: id, desiredState: state) }
        func found(_ state: String) -> Object { Object(type: .vmKVM, id: id, desiredState: state) }
        #expect(ComputeKVMDriver.restoresAtStart(held: held("running"), found: found("poweroff")))
        #expect(ComputeKVMDriver.restoresAtStart(held: held("running"), found: found("saved")))
        #expect(ComputeKVMDriver.restoresAtStart(held: held(nil), found: found("poweroff")), "running is the default")
        #expect(!ComputeKVMDriver.restoresAtStart(held: held("running"), found: found("running")))
        #expect(!ComputeKVMDriver.restoresAtStart(held: held("running"), found: found("paused")), "reported, not touched")
        #expect(!ComputeKVMDriver.restoresAtStart(held: held("poweroff"), found: found("poweroff")))
        #expect(!ComputeKVMDriver.restoresAtStart(held: held("saved"), found: found("poweroff")))
        #expect(!ComputeKVMDriver.restoresAtStart(held: held("poweroff"), found: found("running")),
                "a guest running that should not is only reported")
        #expect(!ComputeKVMDriver.restoresAtStart(held: Object(type: .volumeFile, id: id, desiredState: "running"),
                                                  found: found("poweroff")))
    }

    @Test func aVMTheHostsRestartStoppedIsStartedFromLibvirtsDefinitionWithANewVNCAddress() async throws {
        try await apply("running")
        let other = ObjectID()
        _ = try await driver.apply(try vm("running") { $0.id = other })
        hypervisor.restartHost()
        hypervisor.clearCalls()
        // Held objects are redacted; the agent must not define anything from them.
        let held = try vm("running") { $0.vncPassword = Object.passwordMask }
        let found = try await driver.inventory().first { $0.id == id }
        #expect(found?.desiredState == "poweroff")
        #expect(driver.restoresAtStart(held: held, found: try #require(found)))
        let restored = try await driver.restoreAtStart(held)
        #expect(hypervisor.calls == ["start \(id)"], "started as defined, never redefined")
        #expect(hypervisor.domain(id)?.state == .running)
        #expect(try DomainXML.parse(hypervisor.domain(id)!.xml).vnc?.password == ComputeFixtures.password,
                "libvirt keeps the user's password")
        #expect(restored.object.vncAddress == "127.0.0.1:5900", "the first guest back gets the first port")
        #expect(restored.object.vncPassword == Object.passwordMask)

        // Already running (restored by someone else meanwhile): nothing to start, the address read.
        hypervisor.clearCalls()
        #expect(try await driver.restoreAtStart(held).object.vncAddress == "127.0.0.1:5900")
        #expect(hypervisor.calls.isEmpty)
    }

    @Test func aVMThatCannotBeStartedAtAgentStartSaysWhyWithThePasswordMasked() async throws {
        try await apply("running")
        hypervisor.restartHost()
        hypervisor.state.withLock {
            $0.startFailure = LibvirtError(operation: "virDomainCreate", code: 38,
                                           message: "Cannot access storage file '/gone' (password hogehoge)")
        }
        let held = try vm("running") { $0.vncPassword = Object.passwordMask }
        let error = await #expect(throws: AgentFailure.self) { try await self.driver.restoreAtStart(held) }
        #expect(error?.message == "libvirt could not start VM \(id) (domain n0-\(id)): Cannot access storage file '/gone' "
            + "(password \(Object.passwordMask))")
        #expect(hypervisor.domain(id) != nil, "a failed restore leaves the definition alone")

        try await apply("deleted")
        let gone = await #expect(throws: AgentFailure.self) { try await self.driver.restoreAtStart(held) }
        #expect(gone?.message.contains("is not defined any more") == true)
    }

    @Test func inventoryListsTheAgentsDomainsWithTheirStates() async throws {
        try await apply("running")
        let other = ObjectID()
        _ = try await driver.apply(try vm("saved") { $0.id = other })
        hypervisor.addForeignDomain(name: "someone-elses-vm", id: ObjectID())
        let found = try await driver.inventory().sorted { $0.id! < $1.id! }
        #expect(found.count == 2)
        let running = try #require(found.first { $0.id == id })
        #expect(running.desiredState == "running")
        #expect(running.vcpus == 2 && running.memory == Size(4, .gb))
        #expect(found.first { $0.id == other }?.desiredState == "poweroff", "saving a VM that never ran leaves it off")

        let held = try vm("running")
        #expect(driver.differences(held: held, found: running).isEmpty)
        var stopped = running
        stopped.desiredState = "poweroff"
        #expect(driver.differences(held: held, found: stopped) == ["it is poweroff, applied as running"])
    }

    @Test func observedStatesNameDesiredStates() {
        func state(_ state: DomainState, active: Bool, saved: Bool = false) -> String {
            ComputeKVMDriver.observedState(DomainStatus(state: state, isActive: active, hasManagedSaveImage: saved,
                                                        vcpus: 1, memoryKiB: 1024))
        }
        #expect(state(.running, active: true) == "running")
        #expect(state(.paused, active: true) == "paused")
        #expect(state(.shutOff, active: false) == "poweroff")
        #expect(state(.shutOff, active: false, saved: true) == "saved")
        #expect(state(.crashed, active: false) == "poweroff")
    }
}
