import CRabbitMQ
import Foundation

/// One rabbitmq-c connection and its single channel.
///
/// rabbitmq-c is blocking and a connection is not thread-safe, so an instance belongs to the
/// thread that opened it (a ``ConnectionWorker``'s): nothing else may call it. Every blocking
/// call it makes is bounded, by the connect timeout, the operation timeout (handshake and RPCs)
/// or the heartbeat, so a dead broker is always noticed.
///
/// Any error marks the connection broken; the worker then drops it and opens a new one rather
/// than trying to repair channel state.
final class AMQPConnection {
    let state: amqp_connection_state_t
    /// The only channel: n0core needs one per connection.
    let channel: amqp_channel_t = 1
    /// Set once anything failed; a broken connection is only destroyed, never closed politely.
    private(set) var isBroken = false
    /// Set while logging in over TLS (`amqps://`), where a TLS error has a likely cause worth
    /// naming.
    private var isLoggingInOverTLS = false

    private init(state: amqp_connection_state_t) {
        self.state = state
    }

    deinit {
        amqp_destroy_connection(state)
    }

    /// Opens the TCP connection to `node` (TLS over it for `amqps://`, the broker's certificate
    /// verified), logs in, and opens the channel. `node` defaults to the configuration's first URL.
    ///
    /// The login handshake is done here rather than with `amqp_login`, which Swift cannot call
    /// (it is variadic); doing it ourselves also lets the connection carry its name and
    /// capabilities, so it is recognisable in the management UI and a refused login is reported
    /// by the broker (`authentication_failure_close`) instead of a bare TCP reset.
    static func open(
        _ configuration: BrokerConfiguration, node: AMQPURL? = nil, connectionName: String
    ) throws -> AMQPConnection {
        guard let state = amqp_new_connection() else {
            throw BrokerError.connectionFailed("cannot allocate a connection")
        }
        let connection = AMQPConnection(state: state)
        let url = node ?? configuration.url
        let socket: OpaquePointer
        switch url.scheme {
        case .amqp:
            guard let tcp = amqp_tcp_socket_new(state) else {
                throw BrokerError.connectionFailed("cannot allocate a socket")
            }
            socket = tcp
        case .amqps:
            socket = try makeTLSSocket(state, host: url.host, tls: configuration.tls)
        }
        // The connect timeout bounds the TLS handshake too: both happen in this call.
        var connectTimeout = timeval(configuration.connectTimeout)
        let status = amqp_socket_open_noblock(socket, url.host, Int32(url.port), &connectTimeout)
        guard status >= 0 else {
            connection.isBroken = true
            var reason = AMQPConnection.describe(status)
            if url.scheme == .amqps {
                reason += explainTLSFailure(status, host: url.host, port: url.port, tls: configuration.tls)
                    .map { ": \($0)" } ?? ""
            }
            throw BrokerError.connectionFailed("cannot connect to \(url.host):\(url.port): \(reason)")
        }
        let deadline = ContinuousClock.now + configuration.operationTimeout
        connection.isLoggingInOverTLS = url.scheme == .amqps
        try connection.logIn(configuration, url: url, connectionName: connectionName, deadline: deadline)
        connection.isLoggingInOverTLS = false
        var rpcTimeout = timeval(configuration.operationTimeout)
        try connection.check(amqp_set_rpc_timeout(state, &rpcTimeout), "setting the RPC timeout")
        _ = amqp_channel_open(state, connection.channel)
        try connection.checkReply("opening the channel")
        return connection
    }

    /// Closes the channel and the connection politely (each bounded by the operation timeout),
    /// so the broker requeues unacknowledged deliveries at once and logs no error.
    func close() {
        guard !isBroken else { return }
        isBroken = true
        _ = amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS)
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
    }

    /// The socket, for polling it together with the worker's wake-up pipe.
    var socketDescriptor: Int32 { amqp_get_sockfd(state) }

    /// Frames already read from the socket that have not been handed out yet: these must be
    /// processed before polling the socket, which would not report them.
    var hasBufferedInput: Bool {
        amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0
    }

    // MARK: - Login

    private func logIn(
        _ configuration: BrokerConfiguration, url: AMQPURL, connectionName: String, deadline: ContinuousClock.Instant
    ) throws {
        try check(amqp_send_header(state), "sending the protocol header")

        let start = try waitForMethod(AMQP_CONNECTION_START_METHOD, deadline: deadline)
            .assumingMemoryBound(to: amqp_connection_start_t.self).pointee
        guard start.version_major == 0, start.version_minor == 9 else {
            throw fail(.connectionFailed("broker speaks AMQP \(start.version_major)-\(start.version_minor), not 0-9-1"))
        }
        guard start.mechanisms.string.split(separator: " ").contains("PLAIN") else {
            throw fail(.connectionFailed("broker does not offer PLAIN authentication"))
        }
        try withCArena { arena in
            var startOK = amqp_connection_start_ok_t()
            startOK.client_properties = arena.table([
                ("product", .string("n0core")),
                ("platform", .string("Swift")),
                ("information", .string("n0core broker library (rabbitmq-c)")),
                ("connection_name", .string(connectionName)),
                ("capabilities", .table([
                    ("publisher_confirms", .bool(true)),
                    ("basic.nack", .bool(true)),
                    ("consumer_cancel_notify", .bool(true)),
                    ("connection.blocked", .bool(true)),
                    ("authentication_failure_close", .bool(true)),
                ])),
            ])
            startOK.mechanism = arena.bytes("PLAIN")
            startOK.response = arena.bytes([0] + Array(url.user.utf8) + [0] + Array(url.password.utf8))
            startOK.locale = arena.bytes("en_US")
            try check(amqp_send_method(state, 0, AMQP_CONNECTION_START_OK_METHOD, &startOK), "logging in")
        }
        amqp_maybe_release_buffers(state)

        let tune = try waitForMethod(AMQP_CONNECTION_TUNE_METHOD, deadline: deadline)
            .assumingMemoryBound(to: amqp_connection_tune_t.self).pointee
        let channelMax: Int32 = tune.channel_max == 0 ? 16 : min(Int32(tune.channel_max), 16)
        let frameMax: Int32 = tune.frame_max == 0 ? AMQP_DEFAULT_FRAME_SIZE : min(Int32(tune.frame_max), AMQP_DEFAULT_FRAME_SIZE)
        var heartbeat = Int32(max(configuration.heartbeat.seconds.rounded(), 0))
        if tune.heartbeat != 0, Int32(tune.heartbeat) < heartbeat { heartbeat = Int32(tune.heartbeat) }
        try check(amqp_tune_connection(state, channelMax, frameMax, heartbeat), "tuning the connection")
        var tuneOK = amqp_connection_tune_ok_t(
            channel_max: UInt16(channelMax), frame_max: UInt32(frameMax), heartbeat: UInt16(heartbeat))
        try check(amqp_send_method(state, 0, AMQP_CONNECTION_TUNE_OK_METHOD, &tuneOK), "tuning the connection")
        amqp_maybe_release_buffers(state)

        try withCArena { arena in
            var open = amqp_connection_open_t(
                virtual_host: arena.bytes(url.vhost),
                capabilities: amqp_bytes_t(len: 0, bytes: nil), insist: 1)
            try check(amqp_send_method(state, 0, AMQP_CONNECTION_OPEN_METHOD, &open), "opening the vhost")
        }
        _ = try waitForMethod(AMQP_CONNECTION_OPEN_OK_METHOD, deadline: deadline)
        amqp_maybe_release_buffers(state)
    }

    /// Waits for one method on channel 0 during the handshake; a connection.close from the
    /// broker (wrong credentials, unknown vhost) becomes ``BrokerError/connectionClosed(code:text:)``.
    private func waitForMethod(_ expected: amqp_method_number_t, deadline: ContinuousClock.Instant) throws -> UnsafeMutableRawPointer {
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { throw fail(.connectionFailed("the login handshake timed out")) }
            var frame = amqp_frame_t()
            var timeout = timeval(remaining)
            let status = amqp_simple_wait_frame_noblock(state, &frame, &timeout)
            if status == AMQP_STATUS_TIMEOUT.rawValue { continue }
            try check(status, "during the login handshake")
            guard frame.frame_type == UInt8(AMQP_FRAME_METHOD), frame.channel == 0 else { continue }
            let method = frame.payload.method
            if method.id == expected, let decoded = method.decoded { return decoded }
            if method.id == AMQP_CONNECTION_CLOSE_METHOD { throw connectionClosedByBroker(method) }
        }
    }

    // MARK: - Errors

    /// Marks the connection broken and returns the error to throw.
    func fail(_ error: BrokerError) -> BrokerError {
        isBroken = true
        return error
    }

    /// Throws for a negative rabbitmq-c status.
    func check(_ status: Int32, _ context: String) throws {
        guard status < 0 else { return }
        throw fail(.connectionFailed("\(context): \(describeFailure(status))"))
    }

    /// Throws unless the last RPC (declare, qos, consume, …) succeeded.
    func checkReply(_ context: String) throws {
        try checkReply(amqp_get_rpc_reply(state), context)
    }

    func checkReply(_ reply: amqp_rpc_reply_t, _ context: String) throws {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            throw fail(.connectionFailed("\(context): \(describeFailure(reply.library_error))"))
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            switch reply.reply.id {
            case AMQP_CONNECTION_CLOSE_METHOD: throw connectionClosedByBroker(reply.reply)
            case AMQP_CHANNEL_CLOSE_METHOD: throw channelClosedByBroker(reply.reply)
            default: throw fail(.connectionFailed("\(context): unexpected method \(reply.reply.id)"))
            }
        default:
            throw fail(.connectionFailed("\(context): no reply"))
        }
    }

    /// Acknowledges the broker's connection.close and describes it.
    func connectionClosedByBroker(_ method: amqp_method_t) -> BrokerError {
        var code = 0
        var text = "connection closed"
        if let close = method.decoded?.assumingMemoryBound(to: amqp_connection_close_t.self).pointee {
            code = Int(close.reply_code)
            text = close.reply_text.string
        }
        var closeOK = amqp_connection_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOK)
        return fail(.connectionClosed(code: code, text: text))
    }

    /// Acknowledges the broker's channel.close and describes it.
    func channelClosedByBroker(_ method: amqp_method_t) -> BrokerError {
        var code = 0
        var text = "channel closed"
        if let close = method.decoded?.assumingMemoryBound(to: amqp_channel_close_t.self).pointee {
            code = Int(close.reply_code)
            text = close.reply_text.string
        }
        var closeOK = amqp_channel_close_ok_t(dummy: 0)
        _ = amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOK)
        return fail(.channelClosed(code: code, text: text))
    }

    static func describe(_ status: Int32) -> String {
        String(cString: amqp_error_string2(status))
    }

    /// rabbitmq-c's text, and for a TLS error during the login what it most likely means.
    func describeFailure(_ status: Int32) -> String {
        let text = Self.describe(status)
        guard isLoggingInOverTLS, status == AMQP_STATUS_SSL_ERROR.rawValue else { return text }
        // With TLS 1.3 the broker judges the client's certificate after the handshake has
        // completed on this side, so a refusal arrives as the first read failing.
        return text + ": the broker ended the TLS session (did it want a client certificate, "
            + "amqp.tls.client_cert_file, that it did not get or does not trust?)"
    }
}

extension timeval {
    /// A C timeout; negative durations become zero.
    init(_ duration: Duration) {
        let microseconds = max(Int64(duration.seconds * 1_000_000), 0)
        self.init()
        tv_sec = .init(microseconds / 1_000_000)
        tv_usec = .init(microseconds % 1_000_000)
    }
}
