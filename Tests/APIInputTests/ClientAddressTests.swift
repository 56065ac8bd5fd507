import APIInput
import Testing

@Suite("Client addresses behind proxies")
struct ClientAddressTests {
    @Test("networks match IPv4 and IPv6 addresses by prefix; malformed ones are refused")
    func networks() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains("10.200.3.4") && !ten.contains("11.0.0.1") && !ten.contains("fd00::1"))
        #expect(ten.contains("::ffff:10.1.2.3"))
        let host = try #require(IPNetwork("127.0.0.1"))
        #expect(host.contains("127.0.0.1") && !host.contains("127.0.0.2"))
        let v6 = try #require(IPNetwork("fd00::/8"))
        #expect(v6.contains("fd12:3456::1") && !v6.contains("fe80::1"))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains("8.8.8.8"))
        #expect(try #require(IPNetwork("10.1.2.3/30")).contains("10.1.2.1") && !(try #require(IPNetwork("10.1.2.3/30"))).contains("10.1.2.4"))
        for bad in ["", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0/8", "fd00::/129", "host", "10.0.0.0/8/8", "10.0.0.0/+8", "1.2.3.4 "] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
    }

    @Test("X-Forwarded-For counts only when the peer is trusted, read from the right past trusted hops")
    func resolution() {
        let trusted = [IPNetwork("127.0.0.1")!, IPNetwork("10.0.0.0/8")!]
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["203.0.113.5"], trusted: trusted) == "203.0.113.5")
        #expect(ClientAddress.resolve(peer: "192.0.2.1", forwardedFor: ["203.0.113.5"], trusted: trusted) == "192.0.2.1", "untrusted peer")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 203.0.113.5, 10.1.1.1"], trusted: trusted) == "203.0.113.5")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["6.6.6.6", "203.0.113.5"], trusted: trusted) == "203.0.113.5")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["10.0.0.9, 10.0.0.8"], trusted: trusted) == "10.0.0.9", "all trusted: leftmost")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["nonsense"], trusted: trusted) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["[2001:db8::1]:443"], trusted: trusted) == "2001:db8::1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["203.0.113.5:5555"], trusted: trusted) == "203.0.113.5")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: [], trusted: trusted) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["203.0.113.5"], trusted: []) == "127.0.0.1", "no proxies configured")
    }
}
