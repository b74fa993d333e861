import Messages

extension Envelope {
    /// The body as a wire message of type `T`, read tolerantly (unknown keys ignored, so a
    /// sender one release ahead is understood); any ``WireSchema`` version from
    /// ``WireSchema/oldestRead`` on is accepted.
    public func decode<T: WireMessage>(_ type: T.Type) throws(MessageRejection) -> T {
        guard let version = WireSchema.version(in: properties.headers) else {
            throw MessageRejection("the \(WireSchema.header) header is not a version number: '\(properties.headers[WireSchema.header] ?? "")'")
        }
        guard version >= WireSchema.oldestRead else {
            throw MessageRejection("wire schema version \(version) is older than this service reads (\(WireSchema.oldestRead) and later)")
        }
        do {
            return try MessageCodec.decodeWire(T.self, from: data)
        } catch {
            throw MessageRejection("undecodable \(T.messageType.rawValue): \(error)")
        }
    }
}
