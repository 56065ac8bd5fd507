import Storage
import Testing

@Suite("Set-aside names")
struct SetAsideNameTests {
    @Test("A set-aside name gives back its original; other names are not taken for one")
    func roundTrip() {
        let digest = String(repeating: "ab", count: 32)
        let aside = SetAsideName.make(for: digest)
        #expect(aside != digest)
        #expect(SetAsideName.make(for: digest) != aside)
        #expect(SetAsideName.original(of: aside) == digest)
        #expect(SetAsideName.original(of: digest) == nil)
        #expect(SetAsideName.original(of: ".gc-12") == nil)
        #expect(SetAsideName.original(of: digest + ".gc-") == nil)
        #expect(SetAsideName.original(of: digest + ".gc-12x") == nil)
        #expect(SetAsideName.original(of: digest + ".tmp-1") == nil)
    }
}
