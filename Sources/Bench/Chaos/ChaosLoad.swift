import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO

/// What the chaos load sends and how patiently.
public struct ChaosLoadSettings: Sendable {
    public var endpoint: APIEndpoint
    public var token: String
    /// Clients, each with one spec (or deletion) in flight.
    public var clients: Int
    /// Every n-th spec a client saw applied is deleted (0: none).
    public var deleteEvery: Int
    /// How long a client waits for a version to settle before it moves on (the checks after
    /// the run decide whether it ever did).
    public var settleWait: Duration
    /// Bound on one HTTP request.
    public var requestTimeout: Duration
    public var document: String

    public init(endpoint: APIEndpoint, token: String, clients: Int = 4, deleteEvery: Int = 4,
                settleWait: Duration = .seconds(120), requestTimeout: Duration = .seconds(15),
                document: String = BenchDocuments.seedSpec) {
        self.endpoint = endpoint
        self.token = token
        self.clients = clients
        self.deleteEvery = deleteEvery
        self.settleWait = settleWait
        self.requestTimeout = requestTimeout
        self.document = document
    }
}

/// What the clients saw, with the time of each answer (seconds since the load started) so the
/// report can say what happened during each fault.
public struct LoadLedger: Sendable, Hashable, Codable {
    public var accepted: [AcceptedVersion] = []
    /// Answers other than 201/202, by kind: `503`, `500`, `connection`, `timeout` …
    public var refusals: [String: Int] = [:]
    /// When each refusal happened.
    public var refusalTimes: [Double] = []
    /// Versions a client stopped waiting for (it moved on; the checks decide).
    public var waitsAbandoned = 0
    /// How the waited-for versions settled, as the clients saw it.
    public var settledStates: [String: Int] = [:]
    /// A few examples of each refusal kind.
    public var refusalExamples: [String: String] = [:]
    public var seconds: Double = 0

    public init() {}

    /// Accepted versions in `[from, to)` (seconds since the start).
    public func accepted(from: Double, to: Double) -> Int {
        accepted.filter { $0.at >= from && $0.at < to }.count
    }

    public func refused(from: Double, to: Double) -> Int {
        refusalTimes.filter { $0 >= from && $0 < to }.count
    }
}

/// Closed-loop load through every fault: each client POSTs the seed's spec (without the host
/// pin), waits for its version to settle, deletes every n-th applied spec, and goes on. A 503
/// is "retry later" (after its `Retry-After`, at most 5 s), a refused or reset connection is
/// "the API is down" (retry after 0.5 s): neither loses anything. Only 201/202 count as
/// accepted, and every accepted version is recorded for the checks.
final class ChaosLoad: Sendable {
    let settings: ChaosLoadSettings
    let logger: Logger
    private let ledger = Ledger()
    private let tracker: VersionTracker
    private let start = ContinuousClock.now
    /// The wall-clock time of ``elapsed`` zero, to place database timestamps on the run's clock.
    let startDate = Date()

    init(settings: ChaosLoadSettings, database: ChaosDatabase, logger: Logger) {
        self.settings = settings
        self.logger = logger
        tracker = VersionTracker(database: database, logger: logger)
    }

    /// Seconds since the load was created.
    public var elapsed: Double {
        (ContinuousClock.now - start).inSeconds
    }

    /// Runs the clients until ``stop()``.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.tracker.run() }
            for index in 0..<max(1, settings.clients) {
                group.addTask { await self.client(index) }
            }
            await group.waitForAll()
        }
    }

    /// Stops the clients: no new request; waits end now.
    public func stop() async {
        await ledger.stop()
        await tracker.stop()
    }

    public func snapshot() async -> LoadLedger {
        var copy = await ledger.ledger
        copy.seconds = elapsed
        return copy
    }

    private enum Answer {
        case accepted(specID: Int64, version: Int)
        case retryLater(Double)
        case refused(String, detail: String)
    }

    private func client(_ index: Int) async {
        var appliedCount = 0
        let body = ByteBuffer(string: settings.document)
        while !(await ledger.isStopped) {
            switch await send(.POST, "/api/spec/", body: body, accepted: 201) {
            case .accepted(let specID, let version):
                await ledger.accept(AcceptedVersion(specID: specID, version: version, kind: .create, at: elapsed))
                let state = await wait(specID: specID, version: version)
                guard state == "applied" else { continue }
                appliedCount += 1
                if settings.deleteEvery > 0, appliedCount % settings.deleteEvery == 0 {
                    await delete(specID)
                }
            case .retryLater(let seconds):
                try? await Task.sleep(for: .milliseconds(Int(min(seconds, 5) * 1000)))
            case .refused(let kind, _):
                try? await Task.sleep(for: kind == "connection" ? .milliseconds(500) : .seconds(1))
            }
        }
    }

    /// Sends DELETE until it is accepted (a repeat of a stored deletion answers the same
    /// version), then waits for the version.
    private func delete(_ specID: Int64) async {
        while !(await ledger.isStopped) {
            switch await send(.DELETE, "/api/spec/\(specID)", body: nil, accepted: 202) {
            case .accepted(let id, let version):
                await ledger.accept(AcceptedVersion(specID: id, version: version, kind: .delete, at: elapsed))
                _ = await wait(specID: id, version: version)
                return
            case .retryLater(let seconds):
                try? await Task.sleep(for: .milliseconds(Int(min(seconds, 5) * 1000)))
            case .refused(let kind, _):
                if kind.hasPrefix("4") { return }
                try? await Task.sleep(for: kind == "connection" ? .milliseconds(500) : .seconds(1))
            }
        }
    }

    private func wait(specID: Int64, version: Int) async -> String? {
        let state = await tracker.wait(specID: specID, version: version, timeout: settings.settleWait)
        await ledger.settled(state)
        return state
    }

    private func send(_ method: HTTPMethod, _ path: String, body: ByteBuffer?, accepted: Int) async -> Answer {
        let headers = [("Authorization", "Bearer \(settings.token)"), ("Content-Type", "application/yaml"),
                       ("Accept", "application/json")]
        let endpoint = settings.endpoint
        let answer: Answer
        do {
            let response = try await withTimeout(settings.requestTimeout) {
                try await HTTPConnection.with(endpoint) { connection in
                    try await connection.send(method, path, headers: headers, body: body)
                }
            }
            let text = String(decoding: response.body.readableBytesView.prefix(300), as: UTF8.self)
            if response.status == accepted, let stored = Self.stored(response.body) {
                return .accepted(specID: stored.id, version: stored.version)
            } else if response.status == 503 {
                let retry = response.headers.first(name: "Retry-After").flatMap(Double.init) ?? 1
                answer = .retryLater(retry)
                await ledger.refuse("503", detail: "\(method) \(path): 503 Retry-After \(retry): \(text)", at: elapsed)
                return answer
            } else {
                answer = .refused("\(response.status)", detail: text)
                await ledger.refuse("\(response.status)", detail: "\(method) \(path): \(response.status): \(text)", at: elapsed)
                if response.status >= 500 || response.status == accepted {
                    logger.warning("the API answered an unexpected status", metadata: [
                        "method": "\(method)", "path": "\(path)", "status": "\(response.status)", "body": "\(text)",
                    ])
                }
                return answer
            }
        } catch is RequestTimedOut {
            await ledger.refuse("timeout", detail: "\(method) \(path): no answer within \(settings.requestTimeout)", at: elapsed)
            return .refused("timeout", detail: "")
        } catch {
            await ledger.refuse("connection", detail: "\(method) \(path): \(error)", at: elapsed)
            return .refused("connection", detail: "\(error)")
        }
    }

    private struct Stored: Decodable {
        var id: Int64
        var version: Int
    }

    static func stored(_ body: ByteBuffer) -> (id: Int64, version: Int)? {
        guard let stored = try? JSONDecoder().decode(Stored.self, from: Data(body.readableBytesView)) else { return nil }
        return (stored.id, stored.version)
    }
}

struct RequestTimedOut: Error {}

/// Runs `body`, or throws ``RequestTimedOut`` after `timeout` (cancelling it).
func withTimeout<Result: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw RequestTimedOut()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw RequestTimedOut() }
        return first
    }
}

private actor Ledger {
    var ledger = LoadLedger()
    private(set) var isStopped = false

    func stop() {
        isStopped = true
    }

    func accept(_ version: AcceptedVersion) {
        ledger.accepted.append(version)
    }

    func refuse(_ kind: String, detail: String, at: Double) {
        ledger.refusals[kind, default: 0] += 1
        ledger.refusalTimes.append(at)
        if ledger.refusalExamples[kind] == nil { ledger.refusalExamples[kind] = String(detail.prefix(400)) }
    }

    func settled(_ state: String?) {
        if let state {
            ledger.settledStates[state, default: 0] += 1
        } else {
            ledger.waitsAbandoned += 1
        }
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
