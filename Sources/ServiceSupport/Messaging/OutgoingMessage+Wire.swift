import Broker
import Messages
import W3CTraceContext

extension OutgoingMessage {
    /// `message` as JSON for `routingKey`, with the properties of the wire contract: its
    /// ``MessageType`` as `type`, the spec id as `correlation_id`, the ``WireSchema`` version,
    /// and a W3C `traceparent` so one spec can be followed across services in logs and in the
    /// broker's management UI.
    public init<M: WireMessage>(_ message: M, routingKey: String, specID: Int64?, trace: TraceContext?) {
        var headers = [WireSchema.header: String(WireSchema.current)]
        if let trace {
            headers[TraceContext.headerName] = trace.traceParentHeaderValue
        }
        self.init(
            routingKey: routingKey,
            type: M.messageType.rawValue,
            body: MessageCodec.encode(message, format: .json),
            correlationID: specID.map { String($0) },
            headers: headers
        )
    }
}
