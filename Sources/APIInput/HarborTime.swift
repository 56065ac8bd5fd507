/// The date forms Harbor's list queries take, read without a date formatter: `YYYY-MM-DD`,
/// `YYYY-MM-DD HH:MM:SS` and `YYYY-MM-DDTHH:MM:SS` with an optional `Z` or `±HH:MM` (UTC when absent).
public enum HarborTime {
    /// Milliseconds since 1970 for `text`, or nil when it is not one of the forms or not a real date.
    public static func milliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 10 || b.count >= 19, b.count <= 25 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var value = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                value = value * 10 + Int(b[i] - 0x30)
            }
            return value
        }
        guard let year = number(0 ..< 4), b[4] == 0x2D, let month = number(5 ..< 7), b[7] == 0x2D, let day = number(8 ..< 10),
              (1 ... 12).contains(month), (1 ... daysIn(month, year)).contains(day) else { return nil }
        var seconds = 0, offset = 0
        if b.count > 10 {
            guard b[10] == 0x20 || b[10] == 0x54, let hour = number(11 ..< 13), b[13] == 0x3A, let minute = number(14 ..< 16), b[16] == 0x3A,
                  let second = number(17 ..< 19), hour < 24, minute < 60, second < 60 else { return nil }
            seconds = hour * 3600 + minute * 60 + second
            let zone = b[19...]
            if zone.isEmpty || (zone.count == 1 && zone.first == 0x5A) {
                offset = 0
            } else {
                guard zone.count == 6, zone.first == 0x2B || zone.first == 0x2D, let zoneHours = number(20 ..< 22), b[22] == 0x3A,
                      let zoneMinutes = number(23 ..< 25), zoneHours < 24, zoneMinutes < 60 else { return nil }
                offset = (zoneHours * 3600 + zoneMinutes * 60) * (zone.first == 0x2D ? -1 : 1)
            }
        }
        let total = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + seconds - offset
        return Int64(total) * 1000
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (years 0–9999).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `milliseconds` since 1970 as Harbor's API writes times (RFC 3339 in UTC with milliseconds,
    /// `2026-12-02T18:33:00.123Z`), without a date formatter: Foundation's ISO 8601 formatter builds an ICU formatter
    /// each time, which cost a projects list more than its database queries. Years outside 0–9999 are clamped to them.
    public static func string(milliseconds: Int64) -> String {
        let limit: Int64 = 253_402_300_799_999  // 9999-12-31T23:59:59.999Z
        let first: Int64 = -62_167_219_200_000  // 0000-01-01T00:00:00.000Z
        let clamped = min(max(milliseconds, first), limit)
        let rest = (clamped % 86_400_000 + 86_400_000) % 86_400_000
        let days = (clamped - rest) / 86_400_000
        // Civil date from days since 1970 (the inverse of `daysSince1970`).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int64, _ width: Int, at start: Int) {
            var value = value
            for index in stride(from: start + width - 1, through: start, by: -1) {
                bytes[index] = UInt8(0x30 + value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0); bytes[4] = 0x2D; put(month, 2, at: 5); bytes[7] = 0x2D; put(day, 2, at: 8); bytes[10] = 0x54
        put(rest / 3_600_000, 2, at: 11); bytes[13] = 0x3A; put(rest / 60_000 % 60, 2, at: 14); bytes[16] = 0x3A
        put(rest / 1000 % 60, 2, at: 17); bytes[19] = 0x2E; put(rest % 1000, 3, at: 20); bytes[23] = 0x5A
        return String(decoding: bytes, as: UTF8.self)
    }
}
