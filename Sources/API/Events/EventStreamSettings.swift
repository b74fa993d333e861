/// How the API streams a spec's events (`api.event_stream_*`, docs/configuration.md).
public struct EventStreamSettings: Sendable, Hashable {
    /// Streams open at once on this API instance; one more is 503 (`api.max_event_streams`).
    public var maxStreams: Int
    /// The longest one stream stays open; the client resumes with `Last-Event-ID`
    /// (`api.event_stream_seconds`).
    public var streamLimit: Duration
    /// How often an idle stream writes a comment, so proxies and clients see it alive.
    public var keepAlive: Duration

    public init(maxStreams: Int = 256, streamLimit: Duration = .seconds(3_600), keepAlive: Duration = .seconds(15)) {
        self.maxStreams = maxStreams
        self.streamLimit = streamLimit
        self.keepAlive = keepAlive
    }
}
