/// Sizes travel as strings (`"10gb"`); a bare number is refused because its unit would be a guess.
extension Size: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        do {
            text = try container.decode(String.self)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected a size such as '10gb' (a whole number and b, kb, mb, gb or tb)"
            )
        }
        do {
            self = try Size(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
