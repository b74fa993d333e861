import Foundation

/// Times on the wire (`created_at`, `sent_at`): ISO 8601 in UTC with milliseconds.
///
/// Input also accepts ISO 8601 without fractional seconds, and the seed's `1990/1/1 00:00`
/// (`year/month/day hour:minute[:second]`, read as UTC) so its example response decodes.
public enum Timestamp {
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
            return date
        }
        if let date = try? Date.ISO8601FormatStyle().parse(text) {
            return date
        }
        return parseSeedForm(text)
    }

    /// `1990/1/1 00:00` or `1990/1/1 00:00:00`.
    private static func parseSeedForm(_ text: String) -> Date? {
        let halves = text.split(separator: " ", omittingEmptySubsequences: true)
        guard halves.count == 2 else { return nil }
        let day = halves[0].split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        let time = halves[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard day.count == 3, (2...3).contains(time.count),
              let year = day[0], let month = day[1], let dayOfMonth = day[2],
              let hour = time[0], let minute = time[1],
              (1...12).contains(month), (1...31).contains(dayOfMonth),
              (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        let second = time.count == 3 ? time[2] : 0
        guard let second, (0...59).contains(second) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: dayOfMonth,
                                        hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == dayOfMonth
        else { return nil }
        return date
    }
}

extension KeyedDecodingContainer {
    func decodeTimestamp(forKey key: Key) throws -> Date {
        let text = try decode(String.self, forKey: key)
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "invalid time '\(text)': expected ISO 8601 such as 2024-05-01T12:00:00Z"
            )
        }
        return date
    }
}

extension KeyedEncodingContainer {
    mutating func encodeTimestamp(_ date: Date, forKey key: Key) throws {
        try encode(Timestamp.format(date), forKey: key)
    }
}
