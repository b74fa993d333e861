import W3CTraceContext

extension TraceContext {
    /// The AMQP header (and HTTP header) that carries it.
    public static let headerName = "traceparent"

    /// A new trace, started where a spec enters the system (the API).
    public static func start() -> TraceContext {
        TraceContext(traceID: .random(), spanID: .random(), flags: .sampled, state: TraceState())
    }

    /// The same trace, one hop further: a new span id under the same trace id.
    public func nextHop() -> TraceContext {
        TraceContext(traceID: traceID, spanID: .random(), flags: flags, state: state)
    }

    /// The trace a message carries in its headers, or nil when it has none or a bad one.
    public init?(headers: [String: String]) {
        guard let value = headers[Self.headerName], let context = try? TraceContext(traceParentHeaderValue: value) else {
            return nil
        }
        self = context
    }
}
