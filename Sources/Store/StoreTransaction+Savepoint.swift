extension StoreTransaction {
    /// Runs `body` in a savepoint, so that one item of a batch that fails undoes its own writes
    /// only and the transaction carries on with the next.
    ///
    /// - Returns: `body`'s result, or its error once its writes are rolled back.
    /// - Throws: only when the transaction itself can no longer be used (the savepoint could not
    ///   be made or rolled back to): then the whole transaction must roll back.
    public func savepoint<Result: Sendable>(_ body: () async throws -> Result) async throws -> Swift.Result<Result, any Error> {
        try await run("SAVEPOINT batch_item")
        let changes = versionChanges.count
        do {
            let result = try await body()
            try await run("RELEASE SAVEPOINT batch_item")
            return .success(result)
        } catch {
            try await run("ROLLBACK TO SAVEPOINT batch_item")
            try await run("RELEASE SAVEPOINT batch_item")
            versionChanges.truncate(to: changes)
            return .failure(error)
        }
    }
}
