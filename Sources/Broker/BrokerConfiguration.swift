/// How a publisher or consumer connects to the broker and behaves on it.
///
/// One value is typically built per service from its configuration file and shared by its
/// publisher and consumers; each of them opens its own connection with it.
public struct BrokerConfiguration: Sendable, Hashable {
    /// Where the broker is and the credentials (masked whenever the configuration is printed).
    public var url: AMQPURL
    /// The other nodes of the same RabbitMQ cluster, tried in order after ``url`` when a
    /// connection cannot be opened or is lost (see ``NodeRotation``). Empty for a single broker.
    /// The credentials, vhost, scheme and TLS settings are those of ``url`` for every node.
    public var failoverURLs: [AMQPURL]
    /// What an `amqps://` connection trusts and shows; unused with `amqp://`.
    public var tls: BrokerTLS
    /// The sender name put in every message's `app_id`, e.g. `n0core-scheduler`.
    public var appID: String
    /// The name the connection shows in the management UI and in `rabbitmqctl
    /// list_connections`; the publisher and consumers add their role to it.
    /// Defaults to ``appID``.
    public var connectionName: String
    /// AMQP heartbeat interval. A connection that looks healthy but is dead is noticed after
    /// about two intervals and reopened, instead of leaving a consumer deaf.
    public var heartbeat: Duration
    /// How many unacknowledged deliveries a consumer holds at most (basic.qos).
    public var prefetch: UInt16
    /// The delays between reconnection attempts.
    public var reconnectBackoff: ReconnectBackoff
    /// Bound on opening the TCP connection.
    public var connectTimeout: Duration
    /// Bound on the login handshake and every synchronous broker operation (declarations,
    /// channel open and close), so nothing waits for the broker without a deadline.
    public var operationTimeout: Duration

    public init(
        url: AMQPURL,
        failoverURLs: [AMQPURL] = [],
        tls: BrokerTLS = BrokerTLS(),
        appID: String,
        connectionName: String? = nil,
        heartbeat: Duration = .seconds(15),
        prefetch: UInt16 = 32,
        reconnectBackoff: ReconnectBackoff = ReconnectBackoff(),
        connectTimeout: Duration = .seconds(5),
        operationTimeout: Duration = .seconds(10)
    ) {
        self.url = url
        self.failoverURLs = failoverURLs
        self.tls = tls
        self.appID = appID
        self.connectionName = connectionName ?? appID
        self.heartbeat = heartbeat
        self.prefetch = prefetch
        self.reconnectBackoff = reconnectBackoff
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
    }

    /// Every node a connection may use, in the order they are tried.
    public var nodeURLs: [AMQPURL] { [url] + failoverURLs }
}

extension BrokerConfiguration: CustomStringConvertible {
    /// Safe for logs: the URL's password is masked.
    public var description: String {
        let tlsPart = url.scheme == .amqps ? "tls: (\(tls)), " : ""
        let failoverPart = failoverURLs.isEmpty ? "" : "failoverURLs: \(failoverURLs), "
        return "BrokerConfiguration(url: \(url), \(failoverPart)\(tlsPart)appID: \(appID), connectionName: \(connectionName), "
            + "heartbeat: \(heartbeat), prefetch: \(prefetch))"
    }
}
