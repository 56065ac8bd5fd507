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
