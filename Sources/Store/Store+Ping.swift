import PostgresNIO

extension Store {
    /// Readiness: answers when the database runs a trivial query within `timeout`, throws
    /// ``StoreError/unavailable(_:)`` otherwise. The timeout matters because a pool with no
    /// reachable server would otherwise keep the probe waiting for a connection.
    public func ping(timeout: Duration = .seconds(2)) async throws {
        let result = await withTaskGroup(of: (any Error)?.self) { group in
            group.addTask {
                do {
                    _ = try await withConnection { tx in try await tx.run("SELECT 1") }
                    return nil
                } catch {
                    return error
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return StoreError.unavailable("no answer within \(timeout)")
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        if let result { throw result }
    }
}
