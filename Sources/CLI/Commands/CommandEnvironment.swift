import AsyncHTTPClient
import Foundation

/// What a command runs against: the process's environment and streams, or a test's. Commands
/// write only through it, so tests read exactly what a user would see.
public struct CommandEnvironment: Sendable {
    public var variables: [String: String]
    public var standardOutput: @Sendable (String) -> Void
    public var standardError: @Sendable (String) -> Void
    /// Whether standard output is a terminal (progress then redraws in place).
    public var outputIsTerminal: Bool
    public var terminalWidth: Int?
    public var httpClient: HTTPClient
    /// A file's bytes, nil when it does not exist.
    public var readFile: @Sendable (String) throws -> Data?

    public init(variables: [String: String], standardOutput: @escaping @Sendable (String) -> Void,
                standardError: @escaping @Sendable (String) -> Void, outputIsTerminal: Bool, terminalWidth: Int?,
                httpClient: HTTPClient, readFile: @escaping @Sendable (String) throws -> Data? = CommandEnvironment.readFileFromDisk) {
        self.variables = variables
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.outputIsTerminal = outputIsTerminal
        self.terminalWidth = terminalWidth
        self.httpClient = httpClient
        self.readFile = readFile
    }

    /// The HTTP client the CLI uses: an API that cannot be reached is reported after a few
    /// seconds of retried connects, not after a request's whole timeout. The caller shuts it down.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    @Sendable public static func readFileFromDisk(_ path: String) throws -> Data? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CLIFailure(.usage, "cannot read \(path): \(error.localizedDescription)")
        }
    }
}
