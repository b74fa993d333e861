import ServiceLifecycle

/// Runs a service after a delay, or not at all if the process is asked to stop first.
///
/// Hundreds of agents connecting and declaring their quorum queues in the same second swamp a
/// small broker: logins time out, clients retry, and the retries pile up connections until the
/// broker runs out of file descriptors. Starting them a few milliseconds apart avoids that.
struct StaggeredStart: Service {
    let service: any Service
    let delay: Duration

    func run() async throws {
        if delay > .zero {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
        try await service.run()
    }
}
