import Foundation
import ArgumentParser

/// `n0core events ID`: a spec's event log; `--follow` streams new events until it settles.
struct EventsCommand: CLICommand {
    static let configuration = CommandConfiguration(commandName: "events",
                                                    abstract: "Show a spec's event log, or follow it until the spec settles.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The spec's id.")
    var id: Int64

    @Flag(help: "Stream new events until the spec's latest version settles.")
    var follow = false

    func execute(in environment: CommandEnvironment) async throws -> ExitStatus {
        let context = try global.context(environment)
        if follow { return try await stream(context) }
        // Every page, joined: the events in order, the state as the last page says.
        let first = try await page(after: nil, context)
        var log = try first.decode(SpecEventLog.self)
        var items = try first.json()["events"]?.arrayValue ?? []
        while let after = log.next {
            let response = try await page(after: after, context)
            let next = try response.decode(SpecEventLog.self)
            if let following = next.next, following <= after {
                throw CLIFailure(.usage, "the API's page after event \(after) of spec \(id) names no later page (next: \(following))")
            }
            items += try response.json()["events"]?.arrayValue ?? []
            log.events += next.events
            (log.state, log.next) = (next.state, next.next)
        }
        if context.output != .table {
            try context.printStructured(.object([
                "spec_id": .integer(log.specID), "state": .string(log.state.rawValue), "events": .array(items),
            ]))
            return .success
        }
        var table = Table(["ID", "TIME", "VERSION", "OBJECT", "KIND", "MESSAGE"])
        for event in log.events {
            table.append([String(event.id), event.createdAt ?? "-", String(event.version), Self.object(event),
                          event.kind, event.message])
        }
        context.print("spec \(log.specID): \(log.state)\n\n" + table.render())
        return .success
    }

    /// One page of the log: from the start, or the events after `after`.
    private func page(after: Int64?, _ context: CommandContext) async throws -> APIClient.Response {
        do {
            return try await context.client.send(.GET, "/api/spec/\(id)/events", query: after.map { [("after", String($0))] } ?? [])
        } catch let error as APIRequestError where error.status == 404 || error.status == 405 {
            try await requireSpec(context)
            throw CLIFailure(.usage, "this API has no event log (GET /api/spec/\(id)/events answered \(error.status))")
        }
    }

    /// 404 is also "no such spec": asking for the spec tells the two apart (its 404 is thrown).
    private func requireSpec(_ context: CommandContext) async throws {
        _ = try await context.client.send(.GET, "/api/spec/\(id)")
    }

    private func stream(_ context: CommandContext) async throws -> ExitStatus {
        let notice: SettledNotice
        do {
            notice = try await SpecEventStream(client: context.client).follow(specID: id) { event in
                try printEvent(event, context)
            }
        } catch let error as EventStreamUnavailable {
            try await requireSpec(context)
            throw CLIFailure(.usage, "this API does not stream events (\(error)); read the log without --follow")
        }
        if context.output == .table {
            context.print("spec \(notice.specID) version \(notice.version) settled: \(notice.state)"
                + (notice.reason.map { ": \($0)" } ?? ""))
        } else {
            context.environment.standardOutput(try context.output.renderStreamed(try Self.json(notice)))
        }
        return .success
    }

    private func printEvent(_ event: SpecEvent, _ context: CommandContext) throws {
        if context.output == .table {
            context.print(Self.line(event))
        } else {
            context.environment.standardOutput(try context.output.renderStreamed(try Self.json(event)))
        }
    }

    /// `2026-12-03T02:00:00Z  v0  web  APPLIED  applied on agent …`
    static func line(_ event: SpecEvent) -> String {
        [event.createdAt ?? "-", "v\(event.version)", object(event), event.kind, event.message]
            .joined(separator: "  ")
    }

    /// The object's name; its id when it has none any more (or was written without one); `-`
    /// for an event about the whole version.
    static func object(_ event: SpecEvent) -> String {
        event.objectName.flatMap { $0.isEmpty ? nil : $0 } ?? event.objectID ?? "-"
    }

    static func json(_ value: some Encodable) throws -> JSONValue {
        let data = try JSONEncoder().encode(value)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }
}
