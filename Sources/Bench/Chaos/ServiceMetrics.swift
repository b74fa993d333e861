import Foundation
import NIOCore

/// A consumer that is still paused (its `n0core_consumer_paused` gauge is 1) when the checks
/// are made: it waits for a dependency that is back, and holds the deliveries it took.
public struct PausedConsumer: Sendable, Hashable, Codable {
    public var service: String
    public var queue: String
    /// Its `n0core_messages_in_hand`: deliveries it holds unacknowledged.
    public var inHand: Int?

    public init(service: String, queue: String, inHand: Int? = nil) {
        self.service = service
        self.queue = queue
        self.inHand = inHand
    }
}

/// Reads the services' Prometheus `/metrics` after a run.
public enum ServiceMetrics {
    /// The value of each sample of `metric`, by its `queue` label, from Prometheus text.
    public static func samples(of metric: String, in text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(metric) && !line.hasPrefix("#") {
            let rest = line.dropFirst(metric.count)
            guard rest.first == "{" || rest.first == " " else { continue }
            var queue = ""
            if let start = rest.range(of: #"queue=""#), let end = rest[start.upperBound...].firstIndex(of: "\"") {
                queue = String(rest[start.upperBound..<end])
            }
            guard let value = rest.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            values[queue] = value
        }
        return values
    }

    /// The consumers `text` shows paused.
    public static func paused(service: String, metrics text: String) -> [PausedConsumer] {
        let inHand = samples(of: "n0core_messages_in_hand", in: text)
        return samples(of: "n0core_consumer_paused", in: text).filter { $0.value != 0 }.keys.sorted().map { queue in
            PausedConsumer(service: service, queue: queue, inHand: inHand[queue].map { Int($0) })
        }
    }

    /// GETs `url` (`http://HOST:PORT/metrics`); the paused consumers, or why it could not be read.
    static func read(service: String, url: String) async -> (paused: [PausedConsumer], error: String?) {
        guard let components = URLComponents(string: url), let host = components.host else {
            return ([], "\(url) is not an http://HOST:PORT/PATH URL")
        }
        let endpoint = APIEndpoint(host: host, port: components.port ?? 80)
        let path = components.path.isEmpty ? "/metrics" : components.path
        do {
            let response = try await withTimeout(.seconds(10)) {
                try await HTTPConnection.with(endpoint) { connection in
                    try await connection.send(.GET, path, headers: [], body: nil)
                }
            }
            guard response.status == 200 else { return ([], "\(url) answered \(response.status)") }
            return (paused(service: service, metrics: String(buffer: response.body)), nil)
        } catch {
            return ([], "\(url): \(error)")
        }
    }
}
