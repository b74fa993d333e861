/// A benchmark that cannot go on, with a sentence saying why.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
