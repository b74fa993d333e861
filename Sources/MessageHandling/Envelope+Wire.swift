import Messages

extension Envelope {
    /// The body as a wire message of type `T`, read tolerantly (unknown keys ignored, so a
    /// sender one release ahead is understood); any ``WireSchema`` version from
    /// ``WireSchema/oldestRead`` on is accepted.
    ///
    /// The body's size and shape are checked against ``DocumentLimits/message`` before it is
    /// decoded (``MessageCodec/decodeWire(_:from:)``): a forged or oversized message is
    /// rejected, and dead-lettered with the limit as its reason, at the cost of one pass over
    /// its bytes.
    public func decode<T: WireMessage>(_ type: T.Type) throws(MessageRejection) -> T {
        guard let version = WireSchema.version(in: properties.headers) else {
            throw MessageRejection("the \(WireSchema.header) header is not a version number: '\(Self.quoted(properties.headers[WireSchema.header] ?? ""))'")
        }
        guard version >= WireSchema.oldestRead else {
            throw MessageRejection("wire schema version \(version) is older than this service reads (\(WireSchema.oldestRead) and later)")
        }
        do {
            return try MessageCodec.decodeWire(T.self, from: data)
        } catch {
            throw MessageRejection.undecodable(T.messageType.rawValue, error)
        }
    }

    /// A sender's text in a reason, shortened.
    static func quoted(_ text: String) -> String {
        text.count > 64 ? String(text.prefix(64)) + "…" : text
    }
}

extension MessageRejection {
    /// The most of a reason kept: it travels in a header of the dead-lettered copy and in logs,
    /// and a message with ten thousand bad keys would otherwise make a reason as large.
    public static let maxReasonLength = 2_048

    /// "undecodable Spec: …", the decoder's problems shortened to ``maxReasonLength``.
    public static func undecodable(_ type: String, _ error: DocumentError) -> MessageRejection {
        let reason = "undecodable \(type): \(error)"
        guard reason.count > maxReasonLength else { return MessageRejection(reason) }
        return MessageRejection(String(reason.prefix(maxReasonLength)) + "… (\(error.problems.count) problems in all)")
    }
}
