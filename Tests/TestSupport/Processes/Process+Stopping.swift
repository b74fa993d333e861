import Foundation

extension Process {
    /// Ends the process and what it forked: SIGTERM to its children and to it, SIGKILL to
    /// whatever is left after `grace`, then waits for it to be reaped.
    ///
    /// Polls instead of calling `waitUntilExit()`, which on Linux spins a run loop at full CPU
    /// and never returns when the process ignores SIGTERM (socat in `fork` mode with a live
    /// connection does).
    public func stop(grace: Duration = .seconds(2)) {
        guard isRunning else { return }
        let pid = processIdentifier
        Self.signalChildren(of: pid, SIGTERM)
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if isRunning {
            Self.signalChildren(of: pid, SIGKILL)
            kill(pid, SIGKILL)
            while isRunning { usleep(10_000) }
        }
    }

    /// Sends `signal` to the direct children of `pid` (from /proc), e.g. socat's per-connection
    /// forks, which would otherwise keep connections open after their parent is gone.
    static func signalChildren(of pid: Int32, _ signal: Int32) {
        let path = "/proc/\(pid)/task/\(pid)/children"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        for child in text.split(separator: " ").compactMap({ Int32($0) }) {
            kill(child, signal)
        }
    }
}
