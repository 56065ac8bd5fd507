import RegistryClient
import Testing

@Suite("WWW-Authenticate challenges and credentials")
struct AuthChallengeTests {
    @Test("challenges as distribution, Harbor and Docker Hub send them")
    func parsesRegistryChallenges() {
        let bearer = AuthChallenge.parse(#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push""#)
        #expect(bearer == [AuthChallenge(scheme: "bearer", parameters: ["realm": "https://auth.example/token", "service": "registry.example",
                                                                          "scope": "repository:a/b:pull,push"])])
        #expect(AuthChallenge.parse(#"Basic realm="Registry Realm""#) == [AuthChallenge(scheme: "basic", parameters: ["realm": "Registry Realm"])])
        let two = AuthChallenge.parse(#"Basic realm="x", Bearer realm="https://t/token", service=reg"#)
        #expect(two.map(\.scheme) == ["basic", "bearer"])
        #expect(two.last?.parameters == ["realm": "https://t/token", "service": "reg"])
        #expect(AuthChallenge.parse(#"Bearer realm="a\"b""#).first?.parameters["realm"] == #"a"b"#)
    }

    @Test("hostile headers: empty, unterminated, endless — parsed without trapping, bounded")
    func survivesHostileHeaders() {
        #expect(AuthChallenge.parse("").isEmpty)
        #expect(AuthChallenge.parse(#"Bearer realm="unterminated"#).first?.parameters["realm"] == "unterminated")
        #expect(AuthChallenge.parse("=,=,=").isEmpty)
        #expect(AuthChallenge.parse(String(repeating: "Basic, ", count: 10_000)).count <= 16)
        let many = "Bearer " + (0 ..< 1000).map { "p\($0)=v" }.joined(separator: ",")
        #expect((AuthChallenge.parse(many).first?.parameters.count ?? 0) <= 32)
    }

    @Test("Authorization header values become credentials")
    func credentialsFromHeaders() {
        #expect(RegistryCredentials(authorizationHeader: "Basic YWRtaW46cGE6c3M=") == .basic(username: "admin", password: "pa:ss"))
        #expect(RegistryCredentials(authorizationHeader: "Bearer abc.def") == .bearer("abc.def"))
        #expect(RegistryCredentials(authorizationHeader: "Basic !!!") == nil)
        #expect(RegistryCredentials(authorizationHeader: "Digest x") == nil)
        #expect(RegistryCredentials(authorizationHeader: "Bearer") == nil)
    }
}
