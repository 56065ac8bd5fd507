import APIInput
import Foundation
import Testing

/// Harbor's time strings written without a date formatter agree with Foundation's ISO 8601 formatter, and read back.
@Suite("Harbor times")
struct HarborTimeTests {
    static func reference(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000))
    }

    @Test("the same text as ISO8601DateFormatter over leap days, century years, the epoch and 20,000 random times")
    func matchesFoundation() {
        let fixed: [Int64] = [0, 1, 999, 86_399_999, 86_400_000, 951_782_400_000 /* 2000-02-29 */, 4_107_542_400_000 /* 2100-03-01 */,
                              1_764_700_380_123, 253_402_300_799_999, 1_709_164_800_000 /* 2024-02-29 */]
        var generator = SystemRandomNumberGenerator()
        let random = (0 ..< 20_000).map { _ in Int64.random(in: 0 ... 253_402_300_799_999, using: &generator) }
        for value in fixed + random {
            #expect(HarborTime.string(milliseconds: value) == Self.reference(value), "\(value)")
        }
    }

    @Test("times before 1970 and out of range are written, clamped to years 0–9999, never crash")
    func extremes() {
        #expect(HarborTime.string(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(HarborTime.string(milliseconds: -86_400_000 * 365) == "1969-01-01T00:00:00.000Z")
        #expect(HarborTime.string(milliseconds: .max) == "9999-12-31T23:59:59.999Z")
        #expect(HarborTime.string(milliseconds: .min) == "0000-01-01T00:00:00.000Z")
        #expect(HarborTime.milliseconds(String(HarborTime.string(milliseconds: 1_764_700_380_000).prefix(19)) + "Z") == 1_764_700_380_000)
    }
}
