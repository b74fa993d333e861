import Hummingbird

extension Parameters {
    /// 400 naming the first query parameter the route does not take: a misspelt `spec_id` would
    /// otherwise be ignored and the answer be something else than the client asked for.
    func requireOnly(_ known: Set<String>) throws {
        for (name, _) in self where !known.contains(String(name)) {
            throw APIError(status: .badRequest, message:
                "unknown query parameter '\(String(name).prefix(64))'; this route takes \(known.sorted().joined(separator: ", "))")
        }
    }
}
