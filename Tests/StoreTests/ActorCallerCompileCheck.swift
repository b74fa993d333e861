import Foundation
import Store

/// Compiled, never run: the services call the store from actors with closures that touch the
/// actor's state. This stops compiling if a closure-taking method loses its `isolation` parameter
/// (Swift 6 would then refuse to send the non-Sendable closure).
actor ActorCallerCompileCheck {
    private var count = 0
    let store: Store

    init(store: Store) { self.store = store }

    func useEveryClosureTakingMethod() async throws {
        try await store.relayOutbox { records in self.count += records.count }
        _ = try await store.createSpec(NewSpecVersion(submitted: "{}", resolved: "{}")) { _ in
            self.count += 1
            return []
        }
        try await store.withTransaction { tx in
            _ = try await tx.createSpec(NewSpecVersion(submitted: "{}", resolved: "{}")) { _ in
                self.count += 1
                return []
            }
            self.count += 1
        }
    }
}
