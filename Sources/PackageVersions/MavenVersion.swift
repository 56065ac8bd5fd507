/// Maven's version order (as its ComparableVersion): the version splits into numbers and qualifiers at `.`, `-` and
/// changes between digits and letters; numbers compare by value and above qualifiers; the known qualifiers order
/// `alpha` (`a`) < `beta` (`b`) < `milestone` (`m`) < `rc` (`cr`) < `snapshot` < release (``, `ga`, `final`,
/// `release`) < `sp`, and other qualifiers come after those, alphabetically; a missing item counts as 0 or release.
enum MavenVersion {
    /// One item of a version.
    enum Item {
        case number([UInt8])
        case qualifier(String)
    }

    static let qualifierRanks: [String: Int] = [
        "alpha": 0, "a": 0, "beta": 1, "b": 1, "milestone": 2, "m": 2, "rc": 3, "cr": 3, "snapshot": 4,
        "": 5, "ga": 5, "final": 5, "release": 5, "sp": 6,
    ]

    static func compare(_ a: String, _ b: String) -> Int {
        let left = items(a), right = items(b)
        for index in 0 ..< max(left.count, right.count) {
            let order = compare(index < left.count ? left[index] : nil, index < right.count ? right[index] : nil)
            if order != 0 { return order }
        }
        return 0
    }

    static func compare(_ x: Item?, _ y: Item?) -> Int {
        switch (x, y) {
        case (nil, nil): return 0
        case (nil, let other?): return -compare(other, nil)
        case (.number(let n)?, nil): return DigitRun.compare(n, [])
        case (.qualifier(let q)?, nil): return rank(q, "")
        case (.number(let n)?, .number(let m)?): return DigitRun.compare(n, m)
        case (.number?, .qualifier?): return 1
        case (.qualifier?, .number?): return -1
        case (.qualifier(let q)?, .qualifier(let r)?): return rank(q, r)
        }
    }

    /// Orders two qualifiers: known ones by rank, unknown ones after them, alphabetically.
    static func rank(_ q: String, _ r: String) -> Int {
        switch (qualifierRanks[q], qualifierRanks[r]) {
        case (let x?, let y?): return x == y ? 0 : (x < y ? -1 : 1)
        case (_?, nil): return -1
        case (nil, _?): return 1
        case (nil, nil): return DigitRun.lexical(Array(q.utf8), Array(r.utf8))
        }
    }

    static func items(_ version: String) -> [Item] {
        var items: [Item] = []
        var current: [UInt8] = []
        func flush() {
            if let first = current.first, DigitRun.isDigit(first) {
                items.append(.number(current))
            } else {
                items.append(.qualifier(String(decoding: current, as: UTF8.self)))
            }
            current = []
        }
        for byte in Array(version.lowercased().utf8) {
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") {
                flush()
            } else if let last = current.last, DigitRun.isDigit(last) != DigitRun.isDigit(byte) {
                flush()
                current.append(byte)
            } else {
                current.append(byte)
            }
        }
        flush()
        // Trailing zeros and release qualifiers change nothing ("1.0.0" is "1", "1.0-final" is "1").
        while let last = items.last {
            switch last {
            case .number(let n) where n.allSatisfy({ $0 == UInt8(ascii: "0") }): items.removeLast()
            case .qualifier(let q) where qualifierRanks[q] == 5: items.removeLast()
            default: return items
            }
        }
        return items
    }
}
