import Foundation

/// Rules for the names people and groups are known by. Names are shown to other users and compared when accounts
/// are created, so they must not hide characters, and a name that merely looks like an existing one (`ａｄｍｉｎ`,
/// `ad\u{200B}min`, `admın`, `аdmin` with a Cyrillic а) must not pass for a new one.
public enum AccountName {
    /// Why `name` cannot be a name, or nil when it can: control characters (NUL included), format and other invisible
    /// characters (zero-width spaces and joiners, bidirectional controls, fillers), unassigned, private-use and
    /// surrogate code points, line and paragraph separators, and noncharacters.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "must not be empty" }
        for scalar in name.unicodeScalars {
            let properties = scalar.properties
            switch properties.generalCategory {
            case .control: return "must not contain control characters"
            case .format, .unassigned, .privateUse, .surrogate, .lineSeparator, .paragraphSeparator:
                return "must not contain invisible or unassigned characters (U+\(String(scalar.value, radix: 16, uppercase: true)))"
            default: break
            }
            if properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint {
                return "must not contain invisible characters (U+\(String(scalar.value, radix: 16, uppercase: true)))"
            }
        }
        return nil
    }

    /// The form names are compared in: compatibility-normalised (NFKC: fullwidth and styled letters become plain
    /// ones), without diacritics, with letters from other scripts that look like Latin letters replaced by them, and
    /// case-folded. Two names with the same key look alike; only one of them may exist.
    public static func comparisonKey(_ name: String) -> String {
        // Folding can bring back what an earlier step removed (`İ` folds to `i` plus a combining dot), so the steps are
        // repeated until nothing changes; the key of a key is itself.
        var key = name
        for _ in 0 ..< 4 {
            let next = keyStep(key)
            if next == key { break }
            key = next
        }
        return key
    }

    private static func keyStep(_ name: String) -> String {
        let compatible = name.precomposedStringWithCompatibilityMapping.decomposedStringWithCanonicalMapping
        var mapped = String.UnicodeScalarView()
        for scalar in compatible.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark: continue
            default: break
            }
            if let latin = lookalikes[scalar] { mapped.append(contentsOf: latin.unicodeScalars) } else { mapped.append(scalar) }
        }
        return String(mapped).folding(options: [.caseInsensitive], locale: nil).precomposedStringWithCompatibilityMapping
    }

    /// Letters of other scripts (and Latin variants) that are drawn like a Latin letter, by case: the look-alikes of
    /// the ASCII letters among Unicode's confusables (UTS #39) that compatibility normalisation leaves alone.
    static let lookalikes: [Unicode.Scalar: String] = {
        let pairs: [(String, String)] = [
            // Latin variants.
            ("ı", "i"), ("ȷ", "j"), ("ɩ", "i"), ("ɑ", "a"), ("ɡ", "g"), ("ɪ", "i"), ("ʟ", "l"), ("ɴ", "n"), ("ʀ", "r"), ("ᴏ", "o"),
            ("ᴄ", "c"), ("ᴠ", "v"), ("ᴡ", "w"), ("ᴢ", "z"), ("ꜱ", "s"), ("ɒ", "a"), ("ƅ", "b"), ("ɓ", "b"), ("ƙ", "k"), ("ł", "l"),
            ("ø", "o"), ("đ", "d"), ("ħ", "h"), ("ŧ", "t"), ("ƚ", "l"), ("ɨ", "i"), ("ʉ", "u"), ("ɵ", "o"), ("ƀ", "b"),
            ("Ø", "O"), ("Đ", "D"), ("Ħ", "H"), ("Ŧ", "T"), ("Ł", "L"), ("Ɨ", "I"),
            // Greek.
            ("Α", "A"), ("Β", "B"), ("Ε", "E"), ("Ζ", "Z"), ("Η", "H"), ("Ι", "I"), ("Κ", "K"), ("Μ", "M"), ("Ν", "N"), ("Ο", "O"),
            ("Ρ", "P"), ("Τ", "T"), ("Υ", "Y"), ("Χ", "X"), ("α", "a"), ("γ", "y"), ("ι", "i"), ("κ", "k"), ("ν", "v"), ("ο", "o"),
            ("ρ", "p"), ("υ", "u"), ("χ", "x"), ("ϲ", "c"), ("ϳ", "j"), ("Ϲ", "C"), ("Ϳ", "J"),
            // Cyrillic.
            ("А", "A"), ("В", "B"), ("Е", "E"), ("К", "K"), ("М", "M"), ("Н", "H"), ("О", "O"), ("Р", "P"), ("С", "C"), ("Т", "T"),
            ("Х", "X"), ("У", "Y"), ("Ѕ", "S"), ("І", "I"), ("Ј", "J"), ("Ԁ", "D"), ("Ԛ", "Q"), ("Ԝ", "W"), ("Һ", "H"), ("Ӏ", "I"),
            ("Ү", "Y"), ("а", "a"), ("е", "e"), ("о", "o"), ("р", "p"), ("с", "c"), ("у", "y"), ("х", "x"), ("ѕ", "s"), ("і", "i"),
            ("ј", "j"), ("ԁ", "d"), ("ԛ", "q"), ("ԝ", "w"), ("һ", "h"), ("ӏ", "l"), ("ү", "y"), ("ь", "b"), ("к", "k"), ("з", "3"),
            // Armenian and Cherokee letters drawn like Latin ones.
            ("օ", "o"), ("ս", "u"), ("ո", "n"), ("հ", "h"), ("Տ", "S"), ("Օ", "O"), ("Ꭺ", "A"), ("Ᏼ", "B"), ("Ꮯ", "C"), ("Ꭼ", "E"),
            ("Ꮋ", "H"), ("Ꮶ", "K"), ("Ꮇ", "M"), ("Ꮲ", "P"), ("Ꭲ", "T"), ("Ꮃ", "W"), ("Ꮓ", "Z"),
        ]
        var table: [Unicode.Scalar: String] = [:]
        for (from, to) in pairs { table[from.unicodeScalars.first!] = to }
        return table
    }()
}
