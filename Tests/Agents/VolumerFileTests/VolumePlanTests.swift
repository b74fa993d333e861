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
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb)), existing: nil, source: nil) == .create(bytes: 10 << 30, source: nil))
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb), source: "base.qcow2"), existing: nil, source: "/images/base.qcow2")
            == .create(bytes: 10 << 30, source: "/images/base.qcow2"))
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb)), existing: ImageInfo(virtualSize: 10 << 30, format: "qcow2"),
                                      source: nil) == .keep)
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb)), existing: ImageInfo(virtualSize: 5 << 30, format: "qcow2"),
                                      source: nil) == .grow(from: 5 << 30, to: 10 << 30))
    }

    @Test func shrinkingIsRefusedWithAReason() {
        #expect {
            try VolumePlan.decide(for: volume(Size(5, .gb)), existing: ImageInfo(virtualSize: 10 << 30, format: "qcow2"), source: nil)
        } throws: { error in
            "\(error)" == "volume d99163ed-0093-40a0-a61b-365a1aece509 is 10gb; shrinking it to 5gb is refused because "
                + "it would destroy the data past 5gb. Keep size: 10gb or create a new volume"
        }
    }

    @Test func theSourceOfAnExistingVolumeCannotChange() throws {
        let existing = ImageInfo(virtualSize: 10 << 30, format: "qcow2", backingFile: "/images/a.qcow2")
        #expect(try VolumePlan.decide(for: volume(Size(10, .gb), source: "a.qcow2"), existing: existing,
                                      source: "/images/a.qcow2") == .keep)
        #expect {
            try VolumePlan.decide(for: volume(Size(10, .gb), source: "b.qcow2"), existing: existing, source: "/images/b.qcow2")
        } throws: { "\($0)".contains("already exists as an overlay of another image; its source cannot change to b.qcow2") }
        #expect(throws: AgentFailure.self) {
            try VolumePlan.decide(for: volume(Size(10, .gb), source: "b.qcow2"),
                                  existing: ImageInfo(virtualSize: 10 << 30, format: "qcow2"), source: "/images/b.qcow2")
        }
    }

    @Test func deletedRemovesAndDestroyedWipesFirstWhateverIsThere() throws {
        #expect(try VolumePlan.decide(for: volume(nil, state: "deleted"), existing: nil, source: nil) == .remove(wipe: false))
        #expect(try VolumePlan.decide(for: volume(nil, state: "destroyed"),
                                      existing: ImageInfo(virtualSize: 1, format: "qcow2"), source: nil) == .remove(wipe: true))
        #expect(VolumePlan.isRemoval(volume(nil, state: "deleted", source: "gone.qcow2")), "a removal needs no image")
        #expect(!VolumePlan.isRemoval(volume(Size(1, .gb))))
    }

    @Test func urlIsTheFileUnderTheDataDirectory() {
        #expect(VolumeLocation(dataDirectory: "/data").url(of: id) == "file:///data/d99163ed-0093-40a0-a61b-365a1aece509")
        #expect(VolumeLocation(dataDirectory: "/data/").path(of: id) == "/data/d99163ed-0093-40a0-a61b-365a1aece509")
        #expect(VolumeLocation(dataDirectory: "/data").temporaryPath(of: id) == "/data/.d99163ed-0093-40a0-a61b-365a1aece509.creating")
        #expect(VolumeLocation(dataDirectory: "/data").volumeID(fileName: "D99163ED-0093-40A0-A61B-365A1ACE509") == nil)
        #expect(VolumeLocation(dataDirectory: "/data").volumeID(fileName: id.description) == id)
    }

    @Test func validationRefusesWhatCanNeverWork() {
        let driver = VolumerFileDriver(configuration: VolumerFileConfiguration(dataDirectory: "/nonexistent"),
                                       runner: ProcessCommandRunner(logger: .init(label: "test")), logger: .init(label: "test"))
        #expect { try driver.validate(volume(nil)) } throws: { "\($0)".contains("object.size is required") }
        #expect(throws: AgentFailure.self) { try driver.validate(volume(Size(bytes: 1000))) }
        for source in ["/images/a.qcow2", "file:///etc/shadow", "../etc/shadow", "debian/../../shadow", "a\u{0}b"] {
            #expect { try driver.validate(volume(Size(1, .gb), source: source)) } throws: {
                "\($0)".hasPrefix("object.source ") && "\($0)".contains("images directory")
            }
        }
        #expect(throws: Never.self) { try driver.validate(volume(Size(1, .gb), source: "debian/12.qcow2")) }
        #expect(throws: Never.self) { try driver.validate(volume(nil, state: "deleted")) }
    }
}
