/// How the API reads consoles (`api.console_*`, docs/configuration.md).
public struct ConsoleSettings: Sendable, Hashable {
    /// How long one read waits for the compute agent's answer before 504
    /// (`api.console_timeout_seconds`, default 5).
    public var timeout: Duration
    /// The longest a `?follow=true` answer stays open (`api.console_follow_seconds`, default 600).
    public var followLimit: Duration
    /// How often a follow asks the agent for what was appended (1 s).
    public var pollInterval: Duration

    public init(timeout: Duration = .seconds(5), followLimit: Duration = .seconds(600), pollInterval: Duration = .seconds(1)) {
        self.timeout = timeout
        self.followLimit = followLimit
        self.pollInterval = pollInterval
    }
}
