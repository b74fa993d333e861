import API
import Broker
import Clients
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Messages
import Prometheus
import ServiceDatabase
import ServiceSupport
import Store
import Synchronization
import TestSupport

/// The API as `n0core-api` runs it — real HTTP, the real database (on a schema of its own, so
/// row counts are this test's), the real broker, the repository's web view at `/ui/` — plus a
/// copy of every message sent to `scheduler`, to see what this API instance published (told
/// apart by its own `app_id`).
struct APIHarness: Sendable {
    static let token = "test-token-\(UUID().uuidString)"
    /// The repository's `ui/` (this file is in `Tests/APITests/`).
    static let uiDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("ui").path
    let client: any TestClientProtocol
    let store: Store
    let appID: String
    let published: PublishedMessages

    /// Runs `body` against a fresh API. `brokerURL` replaces the broker's address for the API's
    /// publisher (the copy of `scheduler` always reads the real broker).
    static func run(
        brokerURL: AMQPURL? = nil, limits: SpecLimits = SpecLimits(), maxBodyBytes: Int = 1 << 20,
        _ body: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        let appID = "n0core-api-test-\(UUID().uuidString.prefix(8))"
        var logger = Logger(label: appID)
        logger.logLevel = .warning
        var apiBroker = try IntegrationEnvironment.brokerConfiguration(appID: appID)
        if let brokerURL { apiBroker.url = brokerURL }
        let observer = try IntegrationEnvironment.brokerConfiguration(appID: "\(appID)-observer")
        try await IntegrationEnvironment.withIsolatedStore { store in
            let publisher = Publisher(configuration: apiBroker, topology: SchedulerClient.topology, logger: logger)
            let observerPublisher = Publisher(configuration: observer, logger: logger)
            let copy = Consumer(configuration: observer, queue: IntegrationEnvironment.uniqueQueueName("test.api"),
                                bindingKeys: [SchedulerClient.queue], deadLetterPublisher: observerPublisher, logger: logger)
            let published = PublishedMessages(appID: appID)
            let relay = OutboxRelay(store: store, publisher: publisher, logger: logger)
            var configuration = APIConfiguration(
                listen: ListenAddress(host: "127.0.0.1", port: 0), tokens: [token],
                maxBodyBytes: maxBodyBytes, limits: limits)
            let specChanges = SpecChangeHub(store: store, maxStreams: configuration.eventStreams.maxStreams, logger: logger)
            configuration.uiDirectory = uiDirectory
            let application = APIServer.makeApplication(
                configuration: configuration, store: store,
                health: HealthRoutes(readiness: Readiness(), metrics: PrometheusCollectorRegistry()),
                specChanges: specChanges, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await publisher.run() }
                group.addTask { try await observerPublisher.run() }
                group.addTask { try await copy.run() }
                group.addTask { try await relay.run() }
                group.addTask { try await specChanges.run() }
                group.addTask {
                    for try await delivery in copy {
                        published.append(delivery)
                        try? await delivery.ack()
                    }
                }
                defer { group.cancelAll() }
                // The copy must be bound before anything is published.
                try await waitUntil("the observer's queue is consumed", within: .seconds(15)) { copy.isConnected }
                try await application.test(.live) { client in
                    try await body(APIHarness(client: client, store: store, appID: appID, published: published))
                }
                try await QueueMaintenance.delete([copy.queue], configuration: observer)
            }
        }
    }

    /// Sends `body` to `uri` with the token (unless `token` is nil).
    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
        contentType: String = "application/yaml", accept: String? = nil, token: String? = APIHarness.token
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = contentType }
        if let accept { headers[.accept] = accept }
        return try await client.execute(uri: uri, method: method, headers: headers,
                                        body: body.map { ByteBuffer(string: $0) })
    }
}

/// Messages the harness's API instance published to `scheduler`, as they arrived.
final class PublishedMessages: Sendable {
    struct Message: Sendable {
        var body: [UInt8]
        var properties: MessageProperties
    }

    let appID: String
    private let messages = Mutex<[Message]>([])

    init(appID: String) {
        self.appID = appID
    }

    /// Delivery is at least once: a message seen again under its `message_id` (the copy's
    /// redelivery after a reconnect, or the relay sending a row again) is one message.
    func append(_ delivery: Delivery) {
        guard delivery.properties.appID == appID else { return }
        messages.withLock { messages in
            if let id = delivery.properties.messageID, messages.contains(where: { $0.properties.messageID == id }) { return }
            messages.append(Message(body: delivery.body, properties: delivery.properties))
        }
    }

    var all: [Message] { messages.withLock { $0 } }

    /// The messages for spec `specID`, waiting up to `timeout` for the first.
    func forSpec(_ specID: Int64, timeout: Duration = .seconds(15)) async throws -> [Message] {
        try await waitUntil("a Spec message for spec \(specID)", within: timeout) {
            self.all.contains { $0.properties.correlationID == String(specID) }
        }
        return all.filter { $0.properties.correlationID == String(specID) }
    }
}
