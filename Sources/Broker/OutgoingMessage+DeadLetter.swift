extension OutgoingMessage {
    /// This message addressed to ``Topology/deadLetterQueue`` through
    /// ``Topology/deadLetterExchange``, with `reason` and its original routing key in headers:
    /// kept for an operator, where retrying it would fail for ever or block what comes after it.
    public func deadLettered(reason: String) -> OutgoingMessage {
        var copy = self
        copy.headers[Delivery.deadLetterReasonHeader] = String(reason.prefix(2000))
        copy.headers[Delivery.originalRoutingKeyHeader] = routingKey
        copy.exchange = Topology.deadLetterExchange
        copy.routingKey = Topology.deadLetterQueue
        return copy
    }
}
