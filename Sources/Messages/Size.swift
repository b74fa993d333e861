/// An amount of memory or disk, in bytes, written like `4gb` or `10GB` in documents.
///
/// Units are binary multiples (1kb = 1024 bytes) because that is what QEMU and qemu-img mean
/// by them; users never have to think about 1000 versus 1024. The wire form is canonical (the
/// largest unit that divides the value evenly, lowercase) so re-encoding a document keeps what
/// the user wrote whenever it was already in its simplest form.
public struct Size: Sendable, Hashable, Comparable, LosslessStringConvertible {
    /// The amount in bytes.
    public var bytes: UInt64

    /// A unit a size may be written in.
    public enum Unit: String, CaseIterable, Sendable {
        case b, kb, mb, gb, tb

        /// Bytes in one of this unit (binary multiples).
        public var bytes: UInt64 {
            switch self {
            case .b: 1
            case .kb: 1 << 10
            case .mb: 1 << 20
            case .gb: 1 << 30
            case .tb: 1 << 40
            }
        }
    }

    public init(bytes: UInt64) {
        self.bytes = bytes
    }

    /// `count` of `unit`, e.g. `Size(4, .gb)`. Traps on overflow, like integer arithmetic.
    public init(_ count: UInt64, _ unit: Unit) {
        self.bytes = count * unit.bytes
    }

    /// Parses `4gb`, `10GB`, `512 mb`: a whole number and a unit, case-insensitive.
    /// The error says what was wrong in words a user can act on.
    public init(parsing text: String) throws(SizeError) {
        self = try SizeParser.parse(text)
    }

    /// Parses like ``init(parsing:)``; `nil` when the text is not a size.
    public init?(_ description: String) {
        guard let size = try? Size(parsing: description) else { return nil }
        self = size
    }

    /// The canonical form: the largest unit that divides the value evenly, e.g. `10gb`, `1536mb`
    /// (and `0b` for nothing).
    public var description: String {
        let unit = bytes == 0 ? .b : Unit.allCases.reversed().first { bytes % $0.bytes == 0 } ?? .b
        return "\(bytes / unit.bytes)\(unit.rawValue)"
    }

    public static func < (lhs: Size, rhs: Size) -> Bool {
        lhs.bytes < rhs.bytes
    }
}

/// Why a size could not be parsed; ``message`` quotes the input and names the expected form.
public struct SizeError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public var description: String { message }
}

/// The grammar of sizes, kept apart from `Size` so the type itself stays a plain value.
enum SizeParser {
    static let expectedUnits = "b, kb, mb, gb or tb"

    static func parse(_ text: String) throws(SizeError) -> Size {
        func fail(_ why: String) -> SizeError {
            SizeError(message: "size '\(text)': \(why)")
        }
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("-") {
            throw fail("must not be negative")
        }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        var rest = trimmed.dropFirst(digits.count)
        if digits.isEmpty {
            throw fail("expected a whole number followed by a unit (\(expectedUnits)), such as '10gb'")
        }
        if rest.first == "." || rest.first == "," {
            throw fail("must be a whole number; use a smaller unit instead of a fraction (e.g. 1536mb, not 1.5gb)")
        }
        rest = rest.drop { $0 == " " }
        let unitText = rest.lowercased()
        if unitText.isEmpty {
            throw fail("missing unit; expected \(expectedUnits)")
        }
        guard let unit = Size.Unit(rawValue: unitText) else {
            throw fail("unknown unit '\(rest)'; expected \(expectedUnits)")
        }
        let tooLarge = "too large; a size is at most 2^64 - 1 bytes (16777215tb)"
        guard let count = UInt64(digits) else {
            throw fail(tooLarge)
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: unit.bytes)
        if overflow {
            throw fail(tooLarge)
        }
        return Size(bytes: bytes)
    }
}
