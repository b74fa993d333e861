import Broker

extension Consumer {
    /// The next `count` deliveries, each acknowledged as it arrives; fewer only if the consumer
    /// ends. Callers bound the wait (`withDeadline`).
    public func acknowledged(_ count: Int) async throws -> [Delivery] {
        var deliveries: [Delivery] = []
        guard count > 0 else { return deliveries }
        for try await delivery in self {
            deliveries.append(delivery)
            try await delivery.ack()
            if deliveries.count == count { break }
        }
        return deliveries
    }
}
