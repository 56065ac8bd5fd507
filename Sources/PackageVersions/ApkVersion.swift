/// Alpine's version order (apk-tools): dot-separated numbers (the first by value; later ones with a leading zero
/// compared as decimal fractions), an optional letter, suffixes in the order `_alpha` < `_beta` < `_pre` < `_rc` <
/// (none) < `_cvs` < `_svn` < `_git` < `_hg` < `_p`, each with an optional number, then the package revision `-rN`.
enum ApkVersion {
    /// A version taken apart.
    struct Parts {
        var numbers: [ArraySlice<UInt8>] = []
        var letter: UInt8? = nil
        var suffixes: [(rank: Int, number: ArraySlice<UInt8>)] = []
        var revision: ArraySlice<UInt8> = []
    }

    static let suffixRanks: [String: Int] = ["alpha": 0, "beta": 1, "pre": 2, "rc": 3, "cvs": 5, "svn": 6, "git": 7, "hg": 8, "p": 9]
    /// The rank of "no suffix".
    static let plain = 4

    static func compare(_ a: String, _ b: String) -> Int {
        let left = parse(a), right = parse(b)
        for index in 0 ..< max(left.numbers.count, right.numbers.count) {
            guard index < left.numbers.count else { return -1 }
            guard index < right.numbers.count else { return 1 }
            let x = left.numbers[index], y = right.numbers[index]
            let fractional = index > 0 && (x.first == UInt8(ascii: "0") || y.first == UInt8(ascii: "0"))
            let order = fractional ? DigitRun.lexical(x, y) : DigitRun.compare(x, y)
            if order != 0 { return order }
        }
        if left.letter != right.letter {
            guard let x = left.letter else { return -1 }
            guard let y = right.letter else { return 1 }
            return x < y ? -1 : 1
        }
        for index in 0 ..< max(left.suffixes.count, right.suffixes.count) {
            let none: (rank: Int, number: ArraySlice<UInt8>) = (plain, [])
            let x = index < left.suffixes.count ? left.suffixes[index] : none
            let y = index < right.suffixes.count ? right.suffixes[index] : none
            if x.rank != y.rank { return x.rank < y.rank ? -1 : 1 }
            let order = DigitRun.compare(x.number, y.number)
            if order != 0 { return order }
        }
        return DigitRun.compare(left.revision, right.revision)
    }

    static func parse(_ version: String) -> Parts {
        let bytes = Array(version.utf8)
        var parts = Parts()
        var i = 0
        func digits() -> ArraySlice<UInt8> {
            let start = i
            while i < bytes.count && DigitRun.isDigit(bytes[i]) { i += 1 }
            return bytes[start ..< i]
        }
        parts.numbers.append(digits())
        while i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            parts.numbers.append(digits())
        }
        if i < bytes.count && DigitRun.isLetter(bytes[i]) {
            parts.letter = bytes[i]
            i += 1
        }
        while i < bytes.count && bytes[i] == UInt8(ascii: "_") {
            i += 1
            let start = i
            while i < bytes.count && DigitRun.isLetter(bytes[i]) { i += 1 }
            let name = String(decoding: bytes[start ..< i], as: UTF8.self)
            // An unknown suffix sorts like none (apk refuses such versions; the comparison must still answer).
            parts.suffixes.append((suffixRanks[name] ?? plain, digits()))
        }
        if i + 1 < bytes.count && bytes[i] == UInt8(ascii: "-") && bytes[i + 1] == UInt8(ascii: "r") {
            i += 2
            parts.revision = digits()
        }
        return parts
    }
}
