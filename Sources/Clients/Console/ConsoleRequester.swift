import Broker
import Foundation
import Logging
import MessageHandling
import Messages
import ServiceLifecycle

/// Reads serial logs for the API over the broker, as Nova's `get_console_output` does: a
/// `ConsoleRequest` to the compute agent's own queue, naming this process's reply key; the reply
/// comes back on this process's reply queue (``ConsoleClient``), through the ``MessageDispatcher``.
///
/// Run ``consumer`` (before this service) and this service; ``fetch(_:)`` answers at once with
/// ``ConsoleFetchError/unavailable(_:)`` while the reply queue is not consumed.
public final class ConsoleRequester: Service, ConsoleFetching {
    public let replyKey: String
    /// The consumer of the reply queue.
    public let consumer: Consumer
    let publisher: Publisher
    let pending = PendingReplies()
    let logger: Logger

    public init(configuration: BrokerConfiguration, publisher: Publisher, logger: Logger, instance: UUID = UUID()) {
        replyKey = ConsoleClient.replyKey(instance: instance)
        consumer = Consumer(configuration: configuration, replyQueue: replyKey, bindingKey: replyKey,
                            deadLetterPublisher: publisher, logger: logger)
        self.publisher = publisher
        self.logger = logger
    }

    /// Requests waiting for their reply right now.
    public var waitingCount: Int { pending.count }

    public func run() async throws {
        let dispatcher = MessageDispatcher(
            source: consumer, handler: ConsoleReplyHandler(pending: pending, logger: logger),
            configuration: .init(concurrency: 8), logger: logger)
        try await dispatcher.run()
    }

    public func fetch(_ fetch: ConsoleFetch) async throws(ConsoleFetchError) -> ConsoleExcerpt {
        guard consumer.isConnected else {
            throw .unavailable("the broker is unavailable, so the VM's compute agent cannot be asked; try again later")
        }
        let request = ConsoleRequestMessage(
            vmID: fetch.vmID, replyTo: replyKey, expiresAt: Date() + Double(fetch.timeout.components.seconds) + 1,
            range: fetch.range, maxBytes: fetch.maxBytes)
        // One deadline for sending and answering both.
        let clock = ContinuousClock()
        let deadline = clock.now + fetch.timeout
        pending.open(request.requestID)
        do {
            try await publisher.publish(ConsoleClient.request(request, to: fetch.agentID), timeout: fetch.timeout)
        } catch BrokerError.unroutable {
            pending.close(request.requestID)
            throw .unavailable("the compute agent \(fetch.agentID) has no queue on the broker; it has never run")
        } catch {
            pending.close(request.requestID)
            throw .unavailable("the request could not be sent to the compute agent \(fetch.agentID): \(error)")
        }
        guard let reply = await pending.wait(request.requestID, timeout: max(.zero, deadline - clock.now)) else {
            throw .timedOut(agentID: fetch.agentID, after: fetch.timeout)
        }
        guard reply.agentID == fetch.agentID, reply.vmID == fetch.vmID else {
            throw .failed("the reply came from agent \(reply.agentID) about VM \(reply.vmID), not from the VM's agent")
        }
        switch reply.outcome {
        case .ok:
            guard let excerpt = reply.excerpt else { throw .failed("the compute agent answered without the log") }
            return excerpt
        case .noLog:
            throw .noLog(reply.message ?? "the VM's hypervisor has no serial log for it")
        case .unsupported:
            throw .unsupported(reply.message ?? "agent \(reply.agentID) does not serve consoles")
        case .failed:
            throw .failed(reply.message ?? "the compute agent could not read the serial log")
        }
    }
}
