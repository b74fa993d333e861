import Clients
import Foundation
import Logging
import Messages

extension AgentRuntime {
    /// The join (a heartbeat at once), then one every interval until cancelled.
    func sendHeartbeats() async {
        while !Task.isCancelled {
            await sendHeartbeat()
            try? await Task.sleep(for: configuration.heartbeatInterval)
        }
    }

    /// One heartbeat: this agent, `state: alived`, and its capacity as the driver measures it
    /// now. Skipped (and logged) when the capacity cannot be measured, rather than announcing a
    /// capacity that is not true; three skipped beats make the agent dead for the scheduler.
    func sendHeartbeat() async {
        let capacity: Capacity?
        do {
            capacity = try await driver.capacity()
        } catch {
            logger.error("cannot measure this host's capacity; heartbeat skipped", metadata: ["error": "\(Self.reason(error))"])
            return
        }
        let message = HeartbeatMessage(
            agent: Object(type: driver.agentType, id: identity.agentID, desiredState: "alived",
                          hostID: identity.hostID, capacity: capacity),
            intervalSeconds: max(1, Int(configuration.heartbeatInterval.components.seconds)),
            sentAt: Date())
        do {
            try await publisher.publish(ConductorClient.heartbeat(message), timeout: configuration.heartbeatInterval)
            logger.trace("heartbeat sent")
        } catch {
            if Task.isCancelled { return }
            logger.warning("heartbeat not confirmed by the broker", metadata: ["error": "\(error)"])
        }
    }
}
