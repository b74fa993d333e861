/// The version of the wire contract a message was written to, in the AMQP header
/// ``header``. Receivers ignore keys they do not know (``MessageCodec/decodeWire(_:from:)``),
/// so adding a field is a compatible change within a major version and services of two
/// releases can run side by side during a rolling upgrade; a message without the header is
/// from before it existed (version 1).
public enum WireSchema {
    public static let header = "x-n0core-schema"
    /// The version this build writes.
    public static let current = 2
    /// The oldest version this build still reads.
    public static let oldestRead = 1

    /// The version a message's headers declare (1 when they declare none); nil when the header
    /// is not a number.
    public static func version(in headers: [String: String]) -> Int? {
        guard let text = headers[header] else { return 1 }
        return Int(text)
    }
}
