import Configuration
import Messages

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

extension ConfigReader {
    /// A number (`4`, `1.5`) under `key` greater than `lower` and at most `upper`, or
    /// `defaultValue` when the key is unset: an allocation ratio, where 0 would offer nothing and
    /// a huge one would promise what no host has.
    public func bounded(_ key: String, default defaultValue: Double, above lower: Double, atMost upper: Double) throws -> Double {
        let expected = "a number greater than \(Self.plain(lower)) and at most \(Self.plain(upper))"
        if let number = double(forKey: ConfigKey(key)) {
            guard number.isFinite, number > lower, number <= upper else {
                throw ConfigurationError.invalid(key: key, value: "\(number)", expected: expected)
            }
            return number
        }
        if let text = string(forKey: ConfigKey(key)) {
            throw ConfigurationError.invalid(key: key, value: text, expected: expected)
        }
        return defaultValue
    }

    /// A size (`512mb`, `2gb`) under `key` within `bounds`, or `defaultValue` when the key is unset.
    public func bounded(_ key: String, default defaultValue: Size, in bounds: ClosedRange<Size>) throws -> Size {
        let expected = "a size from \(bounds.lowerBound) to \(bounds.upperBound), such as 512mb"
        guard let text = string(forKey: ConfigKey(key)) else {
            if let number = int(forKey: ConfigKey(key)) {
                throw ConfigurationError.invalid(key: key, value: "\(number)", expected: expected + " (with its unit)")
            }
            return defaultValue
        }
        guard let size = try? Size(parsing: text), bounds.contains(size) else {
            throw ConfigurationError.invalid(key: key, value: text, expected: expected)
        }
        return size
    }

    /// `4` rather than `4.0`, for messages.
    static func plain(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? "\(Int(number))" : "\(number)"
    }
}
