import Foundation

/// A cron expression: five fields (minute hour day-of-month month day-of-week) or six with seconds first, as Harbor
/// writes them (`0 0 * * * *` = hourly). Fields take `*`, numbers, ranges `a-b`, lists `a,b` and steps `*/n`, `a-b/n`.
/// Times are UTC.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    let seconds: Set<Int>
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let dayRestricted: Bool
    let weekdayRestricted: Bool
    /// The text it was parsed from.
    public let description: String

    /// A malformed expression.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// Parses `text`.
    public init(_ text: String) throws {
        var fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 || fields.count == 6 else { throw ParseError(description: "a cron expression has 5 or 6 fields") }
        if fields.count == 5 { fields.insert("0", at: 0) }
        seconds = try Self.field(fields[0], 0 ... 59, "seconds")
        minutes = try Self.field(fields[1], 0 ... 59, "minutes")
        hours = try Self.field(fields[2], 0 ... 23, "hours")
        days = try Self.field(fields[3], 1 ... 31, "day of month")
        months = try Self.field(fields[4], 1 ... 12, "month")
        weekdays = Set(try Self.field(fields[5], 0 ... 7, "day of week").map { $0 % 7 })
        dayRestricted = fields[3] != "*" && fields[3] != "?"
        weekdayRestricted = fields[5] != "*" && fields[5] != "?"
        description = text
    }

    private static func field(_ text: String, _ range: ClosedRange<Int>, _ name: String) throws -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "/", maxSplits: 1)
            let step = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let step, step > 0 else { throw ParseError(description: "bad step in the \(name) field") }
            let span: ClosedRange<Int>
            if pieces[0] == "*" || pieces[0] == "?" {
                span = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                guard let low = Int(pieces[0][..<dash]), let high = Int(pieces[0][pieces[0].index(after: dash)...]), low <= high,
                      range.contains(low), range.contains(high) else { throw ParseError(description: "bad range in the \(name) field") }
                span = low ... high
            } else {
                guard let value = Int(pieces[0]), range.contains(value) else { throw ParseError(description: "bad value in the \(name) field") }
                span = value ... (pieces.count == 2 ? range.upperBound : value)
            }
            values.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        guard !values.isEmpty else { throw ParseError(description: "empty \(name) field") }
        return values
    }

    /// The first matching second strictly after `date` (within about five years), or nil.
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var candidate = Date(timeIntervalSince1970: floor(date.timeIntervalSince1970) + 1)
        let limit = date.addingTimeInterval(5 * 366 * 86_400)
        while candidate < limit {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: candidate)
            guard let month = c.month, let day = c.day, let hour = c.hour, let minute = c.minute, let second = c.second, let weekday = c.weekday else { return nil }
            if !months.contains(month) {
                candidate = calendar.date(from: DateComponents(year: c.year, month: month, day: 1))!.addingTimeInterval(0)
                candidate = calendar.date(byAdding: .month, value: 1, to: candidate)!
                continue
            }
            let dayMatches = days.contains(day)
            let weekdayMatches = weekdays.contains(weekday - 1)
            let dateMatches = dayRestricted && weekdayRestricted ? (dayMatches || weekdayMatches) : (dayMatches && weekdayMatches)
            if !dateMatches {
                candidate = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: candidate))!
                continue
            }
            if !hours.contains(hour) {
                candidate = calendar.date(from: DateComponents(year: c.year, month: month, day: day, hour: hour))!.addingTimeInterval(3600)
                continue
            }
            if !minutes.contains(minute) {
                candidate = calendar.date(from: DateComponents(year: c.year, month: month, day: day, hour: hour, minute: minute))!.addingTimeInterval(60)
                continue
            }
            if !seconds.contains(second) {
                candidate = candidate.addingTimeInterval(1)
                continue
            }
            return candidate
        }
        return nil
    }
}
