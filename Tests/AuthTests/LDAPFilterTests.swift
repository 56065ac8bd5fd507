@testable import Auth
import Testing

@Suite("LDAP filters and messages")
struct LDAPFilterTests {
    @Test("filters parse: and/or/not, equality, presence, substrings, escapes; bare filters get parentheses")
    func parsing() throws {
        #expect(try LDAPFilter(parsing: "(&(objectClass=person)(|(uid=a*b*c)(!(cn=*))))") == .and([
            .equal("objectClass", Array("person".utf8)),
            .or([.substrings("uid", initial: Array("a".utf8), any: [Array("b".utf8)], final: Array("c".utf8)), .not(.present("cn"))]),
        ]))
        #expect(try LDAPFilter(parsing: "uid=x\\2ay") == .equal("uid", Array("x*y".utf8)))
        #expect(try LDAPFilter(parsing: "(age>=21)") == .greaterOrEqual("age", Array("21".utf8)))
        #expect(throws: LDAPFilter.ParseError.self) { try LDAPFilter(parsing: "(uid=a") }
        #expect(throws: LDAPFilter.ParseError.self) { try LDAPFilter(parsing: "(&(uid=a)") }
        #expect(throws: LDAPFilter.ParseError.self) { try LDAPFilter(parsing: "(uid=a(b)") }
    }

    @Test("escaping user input keeps it a single equality value")
    func escaping() throws {
        let hostile = "*)(uid=*))(|(uid=*"
        let filter = try LDAPFilter(parsing: "(uid=\(LDAPFilter.escape(hostile)))")
        #expect(filter == .equal("uid", Array(hostile.utf8)))
        #expect(LDAPFilter.escape("bob") == "bob")
        #expect(LDAPFilter.escape("a\\b") == "a\\5cb")
    }

    @Test("messages round-trip through BER framing; URLs parse with default ports")
    func framingAndURLs() throws {
        let bind = LDAPMessages.bindRequest(id: 7, dn: "cn=admin,dc=example,dc=org", password: "secret")
        #expect(try LDAPMessages.frameLength(bind) == bind.count)
        #expect(try LDAPMessages.frameLength(bind.prefix(1)) == nil)
        let search = LDAPMessages.searchRequest(id: 300, base: String(repeating: "x", count: 300), scope: .subtree,
                                                filter: .present("uid"), attributes: ["uid", "mail"], sizeLimit: 2, timeLimit: 5)
        #expect(try LDAPMessages.frameLength(search) == search.count)
        #expect(try LDAPURL("ldap://directory.example.org") == LDAPURL("ldap://directory.example.org:389"))
        #expect(try LDAPURL("ldaps://10.0.0.1").port == 636)
        #expect(try LDAPURL("ldaps://10.0.0.1").secure)
        #expect(throws: LDAPError.self) { try LDAPURL("http://example.org") }
    }
}
