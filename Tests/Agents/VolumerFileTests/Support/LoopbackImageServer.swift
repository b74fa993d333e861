import Foundation
import Testing

/// `python3 -m http.server` on 127.0.0.1 (a port the kernel picks), serving a temporary
/// directory, with its request log kept so a test can count the downloads.
final class LoopbackImageServer: @unchecked Sendable {
    let directory: String
    let port: Int
    private let process: Process
    private let log: String

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() async throws {
        directory = NSTemporaryDirectory() + "n0core-image-server-\(UUID().uuidString.lowercased())"
        log = directory + ".log"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var found: Int?
        for _ in 0..<100 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"port (\d+)"#, options: .regularExpression) {
                found = Int(text[range].dropFirst("port ".count))
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            throw ServerFailure(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        port = found
    }

    /// How many `GET` requests of `path` the server answered.
    func requests(of path: String) -> Int {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.components(separatedBy: "\n").filter { $0.contains("\"GET \(path) HTTP/") }.count
    }

    func stop() {
        // SIGKILL: the test process ignores SIGTERM (signal handling of the services under
        // test), and an ignored signal stays ignored in the child it starts.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: log)
    }

    struct ServerFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "python3 -m http.server did not start: \(log)" }
    }
}
