/// RPM's version order: the epoch numerically (missing is 0), then version and release with rpmvercmp — segments of
/// digits or letters (other characters only separate them), digits by value and above letters, `~` before everything
/// (pre-releases) and `^` after the version it follows but before anything longer (snapshots).
enum RpmVersion {
    static func compare(_ a: String, _ b: String) -> Int {
        let left = EpochVersionRelease(a), right = EpochVersionRelease(b)
        let epoch = DigitRun.compare(left.epoch, right.epoch)
        if epoch != 0 { return epoch }
        let version = rpmvercmp(left.version, right.version)
        if version != 0 { return version }
        // A missing release matches any release (as rpm compares a requirement without one).
        if left.release.isEmpty || right.release.isEmpty { return 0 }
        return rpmvercmp(left.release, right.release)
    }

    static func rpmvercmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a == b { return 0 }
        let tilde = UInt8(ascii: "~"), caret = UInt8(ascii: "^")
        func separator(_ byte: UInt8) -> Bool { !DigitRun.isDigit(byte) && !DigitRun.isLetter(byte) && byte != tilde && byte != caret }
        var i = 0, j = 0
        while i < a.count || j < b.count {
            while i < a.count && separator(a[i]) { i += 1 }
            while j < b.count && separator(b[j]) { j += 1 }
            let x = i < a.count ? a[i] : nil, y = j < b.count ? b[j] : nil
            if x == tilde || y == tilde {
                if x != tilde { return 1 }
                if y != tilde { return -1 }
                i += 1; j += 1
                continue
            }
            if x == caret || y == caret {
                if x == nil { return -1 }
                if y == nil { return 1 }
                if x != caret { return 1 }
                if y != caret { return -1 }
                i += 1; j += 1
                continue
            }
            guard let first = x, y != nil else { break }
            let numeric = DigitRun.isDigit(first)
            func kind(_ byte: UInt8) -> Bool { numeric ? DigitRun.isDigit(byte) : DigitRun.isLetter(byte) }
            let startA = i, startB = j
            while i < a.count && kind(a[i]) { i += 1 }
            while j < b.count && kind(b[j]) { j += 1 }
            // Segments of different kinds: digits are newer than letters.
            if startB == j { return numeric ? 1 : -1 }
            let order = numeric ? DigitRun.compare(a[startA ..< i], b[startB ..< j]) : DigitRun.lexical(a[startA ..< i], b[startB ..< j])
            if order != 0 { return order }
        }
        if i >= a.count && j >= b.count { return 0 }
        return i >= a.count ? -1 : 1
    }
}
