import Testing

@testable import Broker

@Suite("AMQP URL and configuration")
struct AMQPURLTests {
    @Test func parsesEveryPart() throws {
        let url = try AMQPURL(parsing: "amqp://scheduler:s3cret@rabbit.example:5673/n0core")
        #expect(url.user == "scheduler")
        #expect(url.password == "s3cret")
        #expect(url.host == "rabbit.example")
        #expect(url.port == 5673)
        #expect(url.vhost == "n0core")
    }

    @Test func appliesDefaults() throws {
        for text in ["amqp://rabbit", "amqp://rabbit/", "AMQP://rabbit"] {
            let url = try AMQPURL(parsing: text)
            #expect(url.host == "rabbit")
            #expect(url.port == 5672)
            #expect(url.user == "guest")
            #expect(url.password == "guest")
            #expect(url.vhost == "/")
        }
    }

    @Test func percentDecodesVhostAndCredentials() throws {
        #expect(try AMQPURL(parsing: "amqp://u:p@host/%2f").vhost == "/")
        #expect(try AMQPURL(parsing: "amqp://u:p@host/%2Fprod").vhost == "/prod")
        let url = try AMQPURL(parsing: "amqp://us%3Aer:p%40ss%2Fw0rd@host:5672/v")
        #expect(url.user == "us:er")
        #expect(url.password == "p@ss/w0rd")
    }

    @Test func parsesIPv6Hosts() throws {
        let url = try AMQPURL(parsing: "amqp://u:p@[::1]:5999/v")
        #expect(url.host == "::1")
        #expect(url.port == 5999)
        #expect(url.description == "amqp://u:***@[::1]:5999/v")
    }

    @Test func amqpsMeansTLSOnPort5671() throws {
        let url = try AMQPURL(parsing: "AMQPS://scheduler:s3cret@rabbit.example/n0core")
        #expect(url.scheme == .amqps)
        #expect(url.port == 5671)
        #expect(url.host == "rabbit.example")
        #expect(url.description == "amqps://scheduler:***@rabbit.example:5671/n0core")
        #expect(try AMQPURL(parsing: "amqps://rabbit.example:6671/n0core").port == 6671)
        #expect(try AMQPURL(parsing: "amqp://rabbit.example/n0core").scheme == .amqp)
        #expect(AMQPURL(scheme: .amqps, host: "rabbit.example").port == 5671)
        let configuration = BrokerConfiguration(url: url, tls: BrokerTLS(caFile: "/etc/n0core/tls/ca.pem"), appID: "n0core-api")
        #expect("\(configuration)".contains("tls: (ca_file: /etc/n0core/tls/ca.pem)"))
        #expect(!"\(configuration)".contains("s3cret"))
        #expect(BrokerConfiguration(url: url, appID: "n0core-api").tls.trustedCAFile == BrokerTLS.systemCAFile)
    }

    @Test func ipAddressesAreToldFromNames() {
        #expect(AMQPConnection.isIPAddress("127.0.0.1"))
        #expect(AMQPConnection.isIPAddress("::1"))
        #expect(!AMQPConnection.isIPAddress("localhost"))
        #expect(!AMQPConnection.isIPAddress("10.0.0.1.example"))
    }

    @Test(arguments: ["http://host", "amqpx://host", "amqp:/host", "amqp://host:0", "amqp://host:99999", "amqp://host:x",
                      "amqp://host/a/b", "amqp://u:%zz@host"])
    func rejectsInvalidURLs(_ text: String) {
        #expect(throws: BrokerError.self) { try AMQPURL(parsing: text) }
    }

    @Test func neverShowsThePassword() throws {
        let url = try AMQPURL(parsing: "amqp://n0core:hunter2@127.0.0.1:5672/%2f")
        #expect(url.description == "amqp://n0core:***@127.0.0.1:5672/%2F")
        #expect(!String(reflecting: url).contains("hunter2"))
        var dumped = ""
        dump(url, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        let configuration = BrokerConfiguration(url: url, appID: "n0core-scheduler")
        #expect(!"\(configuration)".contains("hunter2"))
        #expect(configuration.connectionName == "n0core-scheduler")
        #expect(configuration.heartbeat == .seconds(15))
        #expect(configuration.prefetch == 32)
    }

    @Test func invalidURLErrorsDoNotQuoteThePassword() {
        do {
            _ = try AMQPURL(parsing: "amqp://u:hunter2@host:notaport/v")
            Issue.record("expected an error")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }

    @Test func backoffGrowsWithJitterUpToTheCap() {
        let backoff = ReconnectBackoff()
        for _ in 0..<50 {
            let first = backoff.delay(afterFailures: 1)
            #expect(first <= .milliseconds(100) && first >= .milliseconds(80))
            let third = backoff.delay(afterFailures: 3)
            #expect(third <= .milliseconds(400) && third >= .milliseconds(320))
            let late = backoff.delay(afterFailures: 40)
            #expect(late <= .seconds(5) && late >= .seconds(4))
        }
    }

    @Test func topologyDeclaresQuorumQueuesThatDeadLetter() {
        var topology = Topology()
        topology.declareQueue("scheduler")
        topology.declareQueue("conductor", bindingKeys: ["agents.#"])
        topology.declareQueue("scheduler", bindingKeys: ["extra"])
        topology.declareQueue(Topology.deadLetterQueue)
        #expect(topology.queues.map(\.name) == ["scheduler", "conductor"])
        #expect(topology.queues[0].bindingKeys == ["scheduler", "extra"])
        #expect(topology.queues[1].bindingKeys == ["conductor", "agents.#"])
        let arguments = Dictionary(uniqueKeysWithValues: topology.workQueueArguments.map { ($0.0, "\($0.1)") })
        #expect(arguments["x-queue-type"] == "\(FieldValue.string("quorum"))")
        #expect(arguments["x-dead-letter-exchange"] == "\(FieldValue.string("n0core.dead-letter"))")
        #expect(arguments["x-dead-letter-routing-key"] == "\(FieldValue.string("n0core.dead"))")
        // Queues of earlier releases dead-letter through the default exchange; only that differs.
        let legacy = Dictionary(uniqueKeysWithValues: topology.legacyWorkQueueArguments.map { ($0.0, "\($0.1)") })
        #expect(legacy["x-dead-letter-exchange"] == "\(FieldValue.string(""))")
        #expect(legacy.filter { $0.key != "x-dead-letter-exchange" } == arguments.filter { $0.key != "x-dead-letter-exchange" })
    }

    @Test func aDeadLetterTapStaysATapWhenItsConsumerDeclaresItAgain() {
        var topology = Topology()
        topology.declareDeadLetterTap("watch")
        let consumed = topology.declaringQueue("watch", bindingKeys: ["more"]).declaringQueue("scheduler")
        #expect(consumed.queues.map(\.name) == ["watch", "scheduler"])
        #expect(consumed.queues.map(\.tapsDeadLetters) == [true, false])
        #expect(consumed.queues[0].bindingKeys == ["watch", "more"])
    }
}
