import APIInput
import Testing

@Suite("Account names")
struct AccountNameTests {
    @Test("control, format, invisible and unassigned characters are refused; ordinary names in any script are not")
    func problems() {
        for bad in ["admin\u{0}", "ad\u{200B}min", "ad\u{200D}min", "\u{202E}nimda", "admin\u{FEFF}", "ad\u{7F}min", "ad\u{1}min", "\u{3164}",
                    "ad\u{E000}min", "a\u{2028}b", "a\u{FFFF}", "a\u{34F}b", "a\u{FE0F}", ""] {
            #expect(AccountName.problem(with: bad) != nil, "\(bad.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        for good in ["admin", "josé", "Müller", "李雷", "алиса", "o'brien", "a.b-c_d", "user@example.org"] {
            #expect(AccountName.problem(with: good) == nil, "\(good)")
        }
    }

    @Test("look-alikes share a comparison key: width, case, diacritics, dotless i, Cyrillic and Greek letters, styled letters")
    func lookalikes() {
        let key = AccountName.comparisonKey("admin")
        for same in ["admin", "Admin", "ADMIN", "ａｄｍｉｎ", "admın", "аdmin", "ΑDMIN", "ADMİN", "àdmin", "𝐚𝐝𝐦𝐢𝐧", "ａＤｍＩｎ", "aԁmin", "admіn"] {
            #expect(AccountName.comparisonKey(same) == key, "\(same) → \(AccountName.comparisonKey(same))")
        }
        for different in ["admins", "adm1n", "madmin", "root", "李雷"] {
            #expect(AccountName.comparisonKey(different) != key, "\(different)")
        }
        #expect(AccountName.comparisonKey("straße") == AccountName.comparisonKey("STRASSE"))
    }
}

@Suite("Harbor list queries")
struct ListQueryParserTests {
    @Test("dates in q ranges are read by hand, including offsets, and refused when they are not dates")
    func dates() throws {
        #expect(HarborTime.milliseconds("1970-01-01") == 0)
        #expect(HarborTime.milliseconds("2024-02-29 12:00:00") == 1_709_208_000_000)
        #expect(HarborTime.milliseconds("2024-02-29T13:00:00+01:00") == 1_709_208_000_000)
        #expect(HarborTime.milliseconds("2024-02-29T12:00:00Z") == 1_709_208_000_000)
        #expect(HarborTime.milliseconds("1969-12-31 23:59:59") == -1000)
        for bad in ["2023-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "2024-01-01 24:00:00", "404-ֱ0", "2024-1-1", "20240101",
                    "2024-01-01T00:00:00+1:00", "２０２４-01-01", "2024-01-01 00:00:00 ", ""] {
            #expect(HarborTime.milliseconds(bad) == nil, "\(bad)")
        }
        let (query, page, size) = try ListQueryParser.parse(q: "op_time=[2024-01-01~2024-01-02 00:00:00],name=~x", sort: "-op_time", page: "3", pageSize: "500")
        #expect(page == 3 && size == 100 && query.offset == 200)
        #expect(query.filters.first?.match == .range("1704067200000", "1704153600000"))
        #expect(throws: ListQueryError.self) { try ListQueryParser.parse(q: "op_time=[404-ֱ0~]", sort: nil, page: nil, pageSize: nil) }
    }
}
