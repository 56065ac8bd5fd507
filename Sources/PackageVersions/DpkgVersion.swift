/// Debian's version order (Debian Policy 5.6.12): the epoch numerically, then the upstream version and the Debian
/// revision with dpkg's algorithm — alternating non-digit parts compared character by character (`~` sorts before
/// everything, even the end of the part; letters before other characters) and digit parts compared by value.
enum DpkgVersion {
    static func compare(_ a: String, _ b: String) -> Int {
        let left = EpochVersionRelease(a), right = EpochVersionRelease(b)
        let epoch = DigitRun.compare(left.epoch, right.epoch)
        if epoch != 0 { return epoch }
        let upstream = verrevcmp(left.version, right.version)
        if upstream != 0 { return upstream }
        return verrevcmp(left.release, right.release)
    }

    /// The weight of one character in a non-digit part: `~` lowest, then the end of the part, letters, the rest.
    static func order(_ byte: UInt8?) -> Int {
        guard let byte else { return 0 }
        if DigitRun.isDigit(byte) { return 0 }
        if DigitRun.isLetter(byte) { return Int(byte) }
        if byte == UInt8(ascii: "~") { return -1 }
        return Int(byte) + 256
    }

    static func verrevcmp(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var i = 0, j = 0
        while i < a.count || j < b.count {
            // Non-digit parts, compared character by character.
            while (i < a.count && !DigitRun.isDigit(a[i])) || (j < b.count && !DigitRun.isDigit(b[j])) {
                let x = order(i < a.count && !DigitRun.isDigit(a[i]) ? a[i] : nil)
                let y = order(j < b.count && !DigitRun.isDigit(b[j]) ? b[j] : nil)
                if x != y { return x < y ? -1 : 1 }
                if i < a.count && !DigitRun.isDigit(a[i]) { i += 1 }
                if j < b.count && !DigitRun.isDigit(b[j]) { j += 1 }
            }
            // Digit parts, by value.
            let startA = i, startB = j
            while i < a.count && DigitRun.isDigit(a[i]) { i += 1 }
            while j < b.count && DigitRun.isDigit(b[j]) { j += 1 }
            let digits = DigitRun.compare(a[startA ..< i], b[startB ..< j])
            if digits != 0 { return digits }
        }
        return 0
    }
}
