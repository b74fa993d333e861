import PostgresNIO

extension Store {
    /// Holds one connection that listens on `channel`: `connected` runs each time LISTEN is in
    /// place (a listener catches up then on what it may have missed while it was not), `notified`
    /// for each notification's payload. Reconnects after `retryAfter` when the connection is lost;
    /// returns when the task is cancelled.
    public func listen(
        on channel: String, retryAfter: Duration,
        connected: @Sendable () async -> Void, notified: @Sendable (String) async -> Void
    ) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        await connected()
                        for try await notification in notifications {
                            await notified(notification.payload)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("listener lost its connection", metadata: ["channel": "\(channel)", "error": "\(StoreError.from(error))"])
            }
            try? await Task.sleep(for: retryAfter)
        }
    }

    /// Notified with a spec's id (as text) when events are recorded for it or its state or latest
    /// version changes (migration 8's triggers), at the commit of the transaction that did it.
    public static let specChangesChannel = "n0core_spec_changes"
}
