/// Follows one version of a spec until it settles, drawing each object's progress: from the
/// event stream when the API has one, else (an older API) by reading `GET /api/spec/{id}` every
/// second.
public struct SpecWatcher: Sendable {
    let client: APIClient
    let renderer: ProgressRenderer
    var stream: SpecEventStream
    var pollInterval: Duration = .seconds(1)

    public init(client: APIClient, renderer: ProgressRenderer) {
        self.client = client
        self.renderer = renderer
        stream = SpecEventStream(client: client)
    }

    /// How the version ended. A later version stored before it settled makes it `superseded`.
    /// - Throws: ``CLIFailure`` with ``ExitStatus/timeout`` when `timeout` passes first.
    public func wait(specID: Int64, version: Int, timeout: Duration?) async throws -> SettledNotice {
        guard let timeout else { return try await follow(specID: specID, version: version) }
        return try await withThrowingTaskGroup(of: SettledNotice?.self) { group in
            group.addTask { try await follow(specID: specID, version: version) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let outcome = first else {
                throw CLIFailure(.timeout, "spec \(specID) version \(version) did not settle within \(timeout.components.seconds) s")
            }
            return outcome
        }
    }

    private func follow(specID: Int64, version: Int) async throws -> SettledNotice {
        var progress = SpecProgress(version: version)
        let status = try await self.status(specID)
        show(status, in: &progress)
        if let outcome = outcome(of: status, version: version) { return outcome }
        do {
            let notice = try await stream.follow(specID: specID) { event in
                if progress.apply(event) { renderer.show(progress.lines) }
            }
            // The status report has the last word on each object (its agent included).
            show(try await self.status(specID), in: &progress)
            guard notice.version == version else { return superseded(version, by: notice.version, specID) }
            return notice
        } catch is EventStreamUnavailable {
            while true {
                try await Task.sleep(for: pollInterval)
                let status = try await self.status(specID)
                show(status, in: &progress)
                if let outcome = outcome(of: status, version: version) { return outcome }
            }
        }
    }

    private func status(_ specID: Int64) async throws -> SpecStatusView {
        try await client.send(.GET, "/api/spec/\(specID)").decode(SpecStatusView.self)
    }

    private func show(_ status: SpecStatusView, in progress: inout SpecProgress) {
        guard status.version == progress.version else { return }
        progress.update(from: status)
        renderer.show(progress.lines)
    }

    private func outcome(of status: SpecStatusView, version: Int) -> SettledNotice? {
        if status.version != version { return superseded(version, by: status.version, status.id) }
        guard status.state.isSettled else { return nil }
        return SettledNotice(specID: status.id, version: version, state: status.state, reason: status.reason)
    }

    private func superseded(_ version: Int, by later: Int, _ specID: Int64) -> SettledNotice {
        SettledNotice(specID: specID, version: version, state: .superseded,
                      reason: "version \(later) was stored before version \(version) settled")
    }
}
