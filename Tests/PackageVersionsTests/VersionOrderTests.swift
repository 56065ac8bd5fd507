import PackageVersions
import Testing

/// Each ecosystem's version order, checked against orderings its own documentation and tools give (Debian Policy and
/// dpkg, rpm's rpmvercmp cases, apk-tools, PEP 440's example list, semver.org, Maven's ComparableVersion).
@Suite("Package version orders")
struct VersionOrderTests {
    /// Every pair of `ascending` compares in list order, and each version equals itself.
    func expectAscending(_ scheme: VersionScheme, _ ascending: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for (i, a) in ascending.enumerated() {
            #expect(scheme.compare(a, a) == 0, "\(a) == \(a)", sourceLocation: sourceLocation)
            for b in ascending[(i + 1)...] {
                #expect(scheme.compare(a, b) < 0, "\(scheme): \(a) < \(b)", sourceLocation: sourceLocation)
                #expect(scheme.compare(b, a) > 0, "\(scheme): \(b) > \(a)", sourceLocation: sourceLocation)
            }
        }
    }

    func expectEqual(_ scheme: VersionScheme, _ pairs: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) {
        for (a, b) in pairs {
            #expect(scheme.compare(a, b) == 0 && scheme.compare(b, a) == 0, "\(scheme): \(a) == \(b)", sourceLocation: sourceLocation)
        }
    }

    @Test("dpkg: epoch, upstream and revision; ~ before everything, letters before other characters")
    func dpkg() {
        expectAscending(.dpkg, ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0-1", "1.0-2", "1.0a", "1.0+b1", "1.0.1", "1.2.10", "2.0"])
        expectAscending(.dpkg, ["2.36-9+deb12u4", "2.36-9+deb12u7", "2.36-9+deb12u10", "1:0.9", "1:1.0~rc1", "2:0.1"])
        expectAscending(.dpkg, ["3.0.11-1~deb12u2", "3.0.11-1", "3.0.13-1~deb12u1", "3.0.13-1~deb12u2"])
        expectEqual(.dpkg, [("0:1.0", "1.0"), ("1.0-0", "1.0"), ("01.02", "1.2"), ("1.0-1", "0:1.0-01")])
    }

    @Test("rpm: rpmvercmp segments, ~ pre-releases and ^ snapshots, epoch and release")
    func rpm() {
        expectAscending(.rpm, ["1.0~rc1~git123", "1.0~rc1", "1.0~rc1^git1", "1.0~rc2", "1.0", "1.0^git1~pre", "1.0^git1", "1.0^20160102", "1.0a", "1.0.1", "2.0"])
        expectAscending(.rpm, ["5.5p1", "5.5p2", "5.5p10"])
        expectAscending(.rpm, ["10xyz", "10.1xyz"])
        expectAscending(.rpm, ["xyz.4", "8"])
        expectAscending(.rpm, ["1.0-1.el9", "1.0-2.el9", "1.0-10.el9", "1:0.5-1"])
        expectEqual(.rpm, [("a+", "a"), ("1.0", "1.0"), ("0:1.0-1", "1.0-1"), ("1.0", "1.0-5"), ("1.0..1", "1.0.1")])
    }

    @Test("apk: numbers, letter, suffixes in apk's order, revision")
    func apk() {
        expectAscending(.apk, ["1.2_alpha", "1.2_beta2", "1.2_pre1", "1.2_rc1", "1.2", "1.2-r1", "1.2_cvs", "1.2_git20240101", "1.2_p1", "1.2a", "1.2.1", "1.10"])
        expectAscending(.apk, ["3.0.8-r0", "3.0.8-r1", "3.0.8-r10", "3.1.4-r0"])
        expectAscending(.apk, ["1.02", "1.1"])
        expectEqual(.apk, [("1.2-r0", "1.2"), ("1.2.3", "1.2.3")])
    }

    @Test("PEP 440: PEP 440's own ordered example, normalised spellings, epochs and local versions")
    func pep440() {
        expectAscending(.pep440, ["1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456",
                                  "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34",
                                  "1.0.post456", "1.0.15", "1.1.dev1", "1!0.5"])
        expectEqual(.pep440, [("1.0", "1.0.0"), ("1.0alpha1", "1.0a1"), ("v1.0", "1.0"), ("1.0-1", "1.0.post1"), ("1.0c1", "1.0rc1"),
                              ("1.0-rc-1", "1.0rc1"), ("1.0.rev2", "1.0.post2"), ("2.28.1", "2.28.1")])
        // Text that is no version sorts before every version.
        #expect(VersionScheme.pep440.compare("not a version", "0.0.1") < 0)
        #expect(VersionScheme.pep440.compare("1.0+", "1.0") < 0)
    }

    @Test("semver: semver.org's precedence example, v prefixes and build metadata")
    func semver() {
        expectAscending(.semver, ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
                                  "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"])
        expectAscending(.semver, ["v0.0.0-20210101000000-abcdef123456", "v0.1.0", "v1.21.5", "v1.21.12", "v1.22.0-rc.1", "v1.22.0"])
        expectEqual(.semver, [("v1.2.3", "1.2.3"), ("v2.0.0+incompatible", "v2.0.0"), ("1.2", "1.2.0"), ("1.0.0+build.7", "1.0.0")])
    }

    @Test("Maven: qualifiers in ComparableVersion's order, trailing zeros and release qualifiers ignored")
    func maven() {
        expectAscending(.maven, ["1.0-alpha-1", "1.0-beta", "1.0-milestone-1", "1.0-rc1", "1.0-SNAPSHOT", "1.0", "1.0-sp1", "1.0-zzz", "1.0.1",
                                 "1.9", "1.10", "2.12.7", "2.12.7.1", "2.13.0"])
        expectEqual(.maven, [("1.0", "1.0.0"), ("1.0", "1.0-final"), ("1.0", "1.0-GA"), ("1.0-RC1", "1.0-cr1"), ("2.0.0.RELEASE", "2.0")])
    }

    @Test("any text compares without trapping, and the order is antisymmetric")
    func hostileInput() {
        let samples = ["", "-", ":", "~", "^", "_", "+", ".", "1:", ":1", "-r", "v", "!", "1!", String(repeating: "9", count: 5000),
                       String(repeating: "9", count: 5000) + ".1", "99999999999999999999999999:1", "1.0" + String(repeating: "~", count: 1000),
                       "\u{0}", "ä.ö", "1..2", "1.-2", "1.0-", "1.0--1", "_p", "1_p", "1.2a_", "1.0+", "1.0+.+", "0.0.0-", "v-", "1.2.3-+"]
        for scheme in VersionScheme.allCases {
            for a in samples {
                for b in samples {
                    let forward = scheme.compare(a, b), backward = scheme.compare(b, a)
                    #expect(forward.signum() == -backward.signum(), "\(scheme): \(a.prefix(20)) vs \(b.prefix(20))")
                }
            }
        }
    }
}
