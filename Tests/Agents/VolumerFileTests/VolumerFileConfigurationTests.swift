import AgentRuntime
import Messages
import ServiceSupport
import Testing

@testable import VolumerFile

/// `volumer.*` keys.
@Suite struct VolumerFileConfigurationTests {
    func configuration(_ environment: [String: String]) async throws -> VolumerFileConfiguration {
        let loaded = try await ServiceConfiguration.load(file: nil, environment: environment)
        return try VolumerFileConfiguration(reader: loaded.reader)
    }

    @Test func defaultsAndEnvironment() async throws {
        let defaults = try await configuration([:])
        #expect(defaults == VolumerFileConfiguration(dataDirectory: "/var/lib/n0core/volumes",
                                                     imagesDirectory: "/var/lib/n0core/images", commandTimeout: .seconds(60)))
        let set = try await configuration([
            "N0CORE_VOLUMER_DATA_DIR": "/srv/volumes", "N0CORE_VOLUMER_IMAGES_DIRECTORY": "/srv/images",
            "N0CORE_VOLUMER_COMMAND_TIMEOUT_SECONDS": "5",
        ])
        #expect(set == VolumerFileConfiguration(dataDirectory: "/srv/volumes", imagesDirectory: "/srv/images",
                                                commandTimeout: .seconds(5)))
    }

    @Test func diskAllocationDefaultsToTheFreeSpaceAndIsRead() async throws {
        #expect(try await configuration([:]).allocation == .physical)
        let set = try await configuration([
            "N0CORE_VOLUMER_DISK_ALLOCATION_RATIO": "2.5", "N0CORE_VOLUMER_RESERVED_DISK": "10gb",
        ])
        #expect(set.allocation == Allocation(diskRatio: 2.5, reservedDisk: Size(10, .gb)))
        for environment in [["N0CORE_VOLUMER_DISK_ALLOCATION_RATIO": "0"], ["N0CORE_VOLUMER_DISK_ALLOCATION_RATIO": "65"],
                            ["N0CORE_VOLUMER_RESERVED_DISK": "ten"]] {
            await #expect(throws: ConfigurationError.self, "\(environment)") { try await configuration(environment) }
        }
    }

    @Test func anImagesDirectoryThatIsNotApartFromTheVolumesIsRefused() async throws {
        let cases: [[String: String]] = [
            ["N0CORE_VOLUMER_IMAGES_DIRECTORY": "images"],
            ["N0CORE_VOLUMER_IMAGES_DIRECTORY": "/"],
            ["N0CORE_VOLUMER_IMAGES_DIRECTORY": "/var/lib/n0core/volumes"],
            ["N0CORE_VOLUMER_IMAGES_DIRECTORY": "/var/lib/n0core/volumes/images"],
            ["N0CORE_VOLUMER_IMAGES_DIRECTORY": "/srv", "N0CORE_VOLUMER_DATA_DIR": "/srv/volumes"],
            ["N0CORE_VOLUMER_IMAGES_DIRECTORY": "/srv/images/", "N0CORE_VOLUMER_DATA_DIR": "/srv/images/../images/v"],
        ]
        for environment in cases {
            await #expect(throws: ConfigurationError.self, "\(environment)") { try await configuration(environment) }
        }
    }
}
