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

    /// One heartbeat: this agent, `state: alived`, its capacity, and where other hosts reach it
    /// (`ip_addresses`, `url`) when the driver announces that. The capacity is measured off
    /// this path (``CapacityCache``): a heartbeat never waits on the driver for long, and sends
    /// the last good measure when a fresh one is late. Skipped only while the capacity has never
    /// been measured, rather than announcing one that is not true.
    func sendHeartbeat() async {
        let capacity: Capacity?
        switch await capacityCache.read(wait: configuration.heartbeatInterval / 4) {
        case .fresh(let measured):
            capacity = measured
        case .stale(let measured, let why):
            logger.warning("sending the last measured capacity; measuring it now is slow or failing", metadata: ["why": "\(why)"])
            capacity = measured
        case .unknown(let why):
            logger.error("cannot measure this host's capacity; heartbeat skipped", metadata: ["error": "\(why)"])
            return
        }
        let addresses = driver.announcedAddresses.map(\.description)
        var agent = Object(type: driver.agentType, id: identity.agentID, desiredState: "alived",
                           ipAddresses: addresses.isEmpty ? nil : addresses, hostID: identity.hostID, capacity: capacity)
        agent.url = driver.announcedURL
        let message = HeartbeatMessage(
            agent: agent,
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
