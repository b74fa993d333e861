import Broker
import Logging

extension Daemon {
    /// The broker settings from configuration, sending as this daemon (`app_id`).
    public func brokerConfiguration() throws -> BrokerConfiguration {
        let reader = configuration.reader
        // A list is the nodes of one cluster, tried in order (`docs/deployment.md`).
        let urls = try AMQPURL.list(parsing: configuration.amqpURL)
        let url = urls[0]
        return BrokerConfiguration(
            url: url,
            failoverURLs: Array(urls.dropFirst()),
            tls: try configuration.brokerTLS(for: url),
            appID: name,
            // AMQP carries the heartbeat and the prefetch in 16 bits; 0 would turn either off.
            heartbeat: try reader.seconds("amqp.heartbeat_seconds", default: 15, in: 1...600),
            prefetch: UInt16(try reader.bounded("amqp.prefetch", default: 32, in: 1...10_000, unit: "messages"))
        )
    }

    /// A confirming publisher, reported in `/readyz` as `broker`.
    public func makePublisher(topology: Topology = Topology()) throws -> Publisher {
        let publisher = Publisher(configuration: try brokerConfiguration(), topology: topology, logger: logger)
        readiness.add("broker") { publisher.isConnected }
        return publisher
    }

    /// A consumer of `queue`, reported in `/readyz` as `queue NAME`; undecodable deliveries are
    /// dead-lettered through `publisher`.
    public func makeConsumer(queue: String, publisher: Publisher) throws -> Consumer {
        let consumer = Consumer(configuration: try brokerConfiguration(), queue: queue,
                                deadLetterPublisher: publisher, logger: logger)
        readiness.add("queue \(queue)") { consumer.isConnected }
        return consumer
    }
}
