/// A message that can never be processed: thrown by a handler's `decode` or `handle`, it sends
/// the delivery to the dead-letter queue with ``reason``, whatever the error classifier says.
public struct MessageRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
