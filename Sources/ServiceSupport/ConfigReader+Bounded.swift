import Configuration

extension ConfigReader {
    /// A whole number under `key` within `bounds`, or `defaultValue` when the key is unset.
    ///
    /// Every count, size and interval a service reads goes through here, so a value that is not a
    /// whole number, or one past what the code can count with (a heartbeat that does not fit the
    /// protocol's 16 bits, an interval whose multiples overflow), stops the service at start with
    /// an error naming the key and the bounds instead of trapping later.
    /// - Parameter unit: how the value is counted, for the message (`seconds`, `bytes`).
    public func bounded(_ key: String, default defaultValue: Int, in bounds: ClosedRange<Int>, unit: String) throws -> Int {
        let expected = "a whole number of \(unit) from \(bounds.lowerBound) to \(bounds.upperBound)"
        if let number = int(forKey: ConfigKey(key)) {
            guard bounds.contains(number) else {
                throw ConfigurationError.invalid(key: key, value: "\(number)", expected: expected)
            }
            return number
        }
        if let text = string(forKey: ConfigKey(key)) {
            throw ConfigurationError.invalid(key: key, value: text, expected: expected)
        }
        return defaultValue
    }

    /// ``bounded(_:default:in:unit:)`` in seconds, as a `Duration`. The default upper bound, 30
    /// days, is past any interval or deadline this system waits for.
    public func seconds(_ key: String, default defaultValue: Int, in bounds: ClosedRange<Int> = 1...2_592_000) throws -> Duration {
        .seconds(try bounded(key, default: defaultValue, in: bounds, unit: "seconds"))
    }
}
