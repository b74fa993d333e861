import Clients
import Foundation
import Logging
import MessageHandling
import Messages

extension AgentRuntime {
    /// How long a console's reply may wait for the broker's confirm: its asker waits only
    /// seconds (`api.console_timeout_seconds`).
    static let consoleReplyTimeout: Duration = .seconds(5)

    /// Reads the piece of the serial log a `ConsoleRequest` asks for and sends it to the reply
    /// key it names. Acknowledged whatever happens to the reply: a console read changes nothing
    /// and its asker gives up after seconds, so there is nothing to redeliver it for. The log's
    /// contents are the guest's and never logged here.
    func answer(_ request: ConsoleRequestMessage) async -> Disposition {
        guard ConsoleClient.isReplyKey(request.replyTo) else {
            return .deadLetter(reason: "a ConsoleRequest's reply_to must be a reply key (\(ConsoleClient.replyPrefix)<uuid>), "
                + "not '\(request.replyTo.prefix(64))'")
        }
        var metadata: Logger.Metadata = ["vm_id": "\(request.vmID)", "request_id": "\(request.requestID)"]
        guard request.expiresAt > Date() else {
            logger.debug("dropping a console request nobody waits for any more", metadata: metadata)
            return .done
        }
        var reply = ConsoleReplyMessage(requestID: request.requestID, vmID: request.vmID, agentID: identity.agentID, outcome: .ok)
        do {
            reply.excerpt = try await driver.consoleLog(of: request.vmID, range: request.range, maxBytes: request.maxBytes)
        } catch ConsoleLogError.unsupported {
            reply.outcome = .unsupported
            reply.message = "agent \(identity.agentID) is a \(driver.agentType.rawValue) agent, which has no consoles"
        } catch ConsoleLogError.noLog(let id) {
            reply.outcome = .noLog
            reply.message = "the hypervisor of VM \(id) has no serial log for it: it has not been started there yet, or it was deleted"
        } catch {
            reply.outcome = .failed
            reply.message = "the compute agent could not read the serial log of VM \(request.vmID): \(Self.reason(error))"
            logger.warning("console log unreadable", metadata: metadata.merging(["reason": "\(Self.reason(error))"]) { $1 })
        }
        metadata["outcome"] = "\(reply.outcome.rawValue)"
        metadata["bytes"] = "\(reply.excerpt?.data.count ?? 0)"
        do {
            try await publisher.publish(ConsoleClient.reply(reply, to: request.replyTo), timeout: Self.consoleReplyTimeout)
            logger.debug("answered a console request", metadata: metadata)
        } catch {
            // The asking API went away (its reply queue with it) or the broker did: it gives up anyway.
            logger.info("a console reply could not be sent", metadata: metadata.merging(["reason": "\(error)"]) { $1 })
        }
        return .done
    }
}
