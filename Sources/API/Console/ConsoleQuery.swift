import Messages

/// What `GET /api/objects/{id}/console` is asked for: `lines` (a tail, default 100) or `offset`
/// (what follows a byte position), and whether to `follow`. 400 naming the parameter and its
/// bounds for anything else, checked before the graph or an agent is asked anything.
struct ConsoleQuery: Equatable {
    var range: ConsoleRange
    var follow: Bool

    init(lines: String?, offset: String?, follow: String?) throws(APIError) {
        switch (lines, offset) {
        case (_?, _?):
            throw APIError(status: .badRequest, message: "give lines (the last lines) or offset (what follows a byte offset), not both")
        case (nil, let text?):
            guard let offset = Int64(text), ConsoleLimits.offsets.contains(offset) else {
                throw APIError(status: .badRequest, message: "offset must be a byte offset, a whole number from 0 to \(Int64.max)")
            }
            range = .from(offset: offset)
        case (let text, nil):
            let bounds = ConsoleLimits.lines
            guard let lines = Int(text ?? String(ConsoleLimits.defaultLines)), bounds.contains(lines) else {
                throw APIError(status: .badRequest,
                               message: "lines must be a whole number from \(bounds.lowerBound) to \(bounds.upperBound)")
            }
            range = .tail(lines: lines)
        }
        switch follow {
        case nil, "false": self.follow = false
        case "true": self.follow = true
        default: throw APIError(status: .badRequest, message: "follow must be true or false")
        }
    }
}
