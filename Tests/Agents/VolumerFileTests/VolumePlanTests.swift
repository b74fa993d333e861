import AgentRuntime
import Messages
import Testing

@testable import VolumerFile

/// What the volume agent decides to do, without a host.
@Suite struct VolumePlanTests {
    let id = ObjectID("d99163ed-0093-40a0-a61b-365a1aece509")!

    func volume(_ size: Size?, state: String = "allocated", source: String? = nil) -> Object {
        Object(type: .volumeFile, id: id, desiredState: state, size: size, source: source)
    }

    @Test func createsKeepsAndGrows() throws {
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb)), existing: nil) == .create(bytes: 10 << 30, source: nil))
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb), source: "file:///images/base.qcow2"), existing: nil)
            == .create(bytes: 10 << 30, source: "/images/base.qcow2"))
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb)), existing: ImageInfo(virtualSize: 10 << 30, format: "qcow2"))
            == .keep)
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb)), existing: ImageInfo(virtualSize: 5 << 30, format: "qcow2"))
            == .grow(from: 5 << 30, to: 10 << 30))
    }

    @Test func shrinkingIsRefusedWithAReason() {
        #expect {
            try VolumePlan.decide(for: volume(Size(5, .gb)), existing: ImageInfo(virtualSize: 10 << 30, format: "qcow2"))
        } throws: { error in
            "\(error)" == "volume d99163ed-0093-40a0-a61b-365a1aece509 is 10gb; shrinking it to 5gb is refused because "
                + "it would destroy the data past 5gb. Keep size: 10gb or create a new volume"
        }
    }

    @Test func theSourceOfAnExistingVolumeCannotChange() throws {
        let existing = ImageInfo(virtualSize: 10 << 30, format: "qcow2", backingFile: "/images/a.qcow2")
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb), source: "file:///images/a.qcow2"), existing: existing) == .keep)
        #expect(throws: AgentFailure.self) {
            try VolumePlan.decide(for: volume(Size(10, .gb), source: "file:///images/b.qcow2"), existing: existing)
        }
        #expect(throws: AgentFailure.self) {
            try VolumePlan.decide(for: volume(Size(10, .gb), source: "http://example.com/b.qcow2"), existing: nil)
        }
    }

    @Test func deletedRemovesAndDestroyedWipesFirstWhateverIsThere() throws {
        #expect(try VolumePlan.decide(for: volume(nil, state: "deleted"), existing: nil) == .remove(wipe: false))
        #expect(try VolumePlan.decide(for: volume(nil, state: "destroyed"),
                                      existing: ImageInfo(virtualSize: 1, format: "qcow2")) == .remove(wipe: true))
    }

    @Test func urlIsTheFileUnderTheDataDirectory() {
        #expect(VolumeLocation(dataDirectory: "/data").url(of: id) == "file:///data/d99163ed-0093-40a0-a61b-365a1aece509")
        #expect(VolumeLocation(dataDirectory: "/data/").path(of: id) == "/data/d99163ed-0093-40a0-a61b-365a1aece509")
        #expect(VolumeLocation(dataDirectory: "/data").temporaryPath(of: id) == "/data/.d99163ed-0093-40a0-a61b-365a1aece509.creating")
        #expect(VolumeLocation.path(ofFileURL: "file:///images/my%20disk.qcow2") == "/images/my disk.qcow2")
        #expect(VolumeLocation.path(ofFileURL: "file://host/images/a.qcow2") == nil)
        #expect(VolumeLocation(dataDirectory: "/data").volumeID(fileName: "D99163ED-0093-40A0-A61B-365A1ACE509") == nil)
        #expect(VolumeLocation(dataDirectory: "/data").volumeID(fileName: id.description) == id)
    }

    @Test func validationRefusesWhatCanNeverWork() {
        let driver = VolumerFileDriver(configuration: VolumerFileConfiguration(dataDirectory: "/nonexistent"),
                                       runner: ProcessCommandRunner(logger: .init(label: "test")), logger: .init(label: "test"))
        #expect { try driver.validate(volume(nil)) } throws: { "\($0)".contains("object.size is required") }
        #expect(throws: AgentFailure.self) { try driver.validate(volume(Size(bytes: 1000))) }
        #expect(throws: AgentFailure.self) { try driver.validate(volume(Size(1, .gb), source: "/images/a.qcow2")) }
        #expect(throws: Never.self) { try driver.validate(volume(nil, state: "deleted")) }
    }
}
