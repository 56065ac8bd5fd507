import Foundation
import Jobs
import Testing

@Suite("Cron expressions")
struct CronExpressionTests {
    func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    @Test("next firing times for Harbor-style six-field and classic five-field expressions")
    func nextTimes() throws {
        let start = date("2026-11-24T10:17:30Z")
        #expect(try CronExpression("0 0 * * * *").next(after: start) == date("2026-11-24T11:00:00Z"))
        #expect(try CronExpression("*/15 * * * * *").next(after: start) == date("2026-11-24T10:17:45Z"))
        #expect(try CronExpression("30 2 * * *").next(after: start) == date("2026-11-25T02:30:00Z"))
        #expect(try CronExpression("0 0 0 * * 0").next(after: start) == date("2026-11-29T00:00:00Z"))  // next Sunday
        #expect(try CronExpression("0 0 12 1 1 *").next(after: start) == date("2027-01-01T12:00:00Z"))
        #expect(try CronExpression("0 5-10/5 * * *").next(after: start) == date("2026-11-25T05:00:00Z"))  // hours 5 and 10
    }

    @Test("malformed expressions are refused")
    func malformed() {
        for bad in ["", "* * *", "61 * * * *", "* * * * * * *", "*/0 * * * *", "5-1 * * * *", "a * * * *"] {
            #expect(throws: CronExpression.ParseError.self) { try CronExpression(bad) }
        }
    }
}
