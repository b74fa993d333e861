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
        let response: APIClient.Response
        do {
            response = try await context.client.send(.GET, "/api/spec/\(id)/events")
        } catch let error as APIRequestError where error.status == 404 || error.status == 405 {
            // 404 is also "no such spec": ask for the spec to tell the two apart.
            _ = try await context.client.send(.GET, "/api/spec/\(id)")
            throw CLIFailure(.usage, "this API has no event log (GET /api/spec/\(id)/events answered \(error.status))")
        }
        if context.output != .table {
            try context.printStructured(try response.json())
            return .success
        }
        let log = try response.decode(SpecEventLog.self)
        var table = Table(["ID", "TIME", "VERSION", "OBJECT", "KIND", "MESSAGE"])
        for event in log.events {
            table.append([String(event.id), event.createdAt ?? "-", String(event.version), event.objectName ?? "-",
                          event.kind, event.message])
        }
        context.print("spec \(log.specID): \(log.state)\n\n" + table.render())
        return .success
    }

    private func stream(_ context: CommandContext) async throws -> ExitStatus {
        let notice: SettledNotice
        do {
            notice = try await SpecEventStream(client: context.client).follow(specID: id) { event in
                try printEvent(event, context)
            }
        } catch let error as EventStreamUnavailable {
            throw CLIFailure(.usage, "this API has no event stream: \(error)")
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
        [event.createdAt ?? "-", "v\(event.version)", event.objectName ?? "-", event.kind, event.message]
            .joined(separator: "  ")
    }

    static func json(_ value: some Encodable) throws -> JSONValue {
        let data = try JSONEncoder().encode(value)
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }
}
