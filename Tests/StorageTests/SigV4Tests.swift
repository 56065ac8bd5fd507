import Foundation
import Storage
import Testing

@Suite("SigV4")
struct SigV4Tests {
    /// The "GET object" example of Amazon's Signature Version 4 documentation for S3.
    @Test("the signature matches Amazon's published example")
    func amazonExample() {
        let signer = SigV4Signer(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
        let headers = signer.sign(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt", query: [],
                                  headers: [("Range", "bytes=0-9")], payloadHash: SigV4Signer.payloadHash([UInt8]()), date: date)
        let authorization = headers.first { $0.0 == "Authorization" }?.1 ?? ""
        #expect(authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("URI encoding keeps unreserved characters and optionally slashes")
    func encoding() {
        #expect(SigV4Signer.uriEncode("a b/c~d") == "a%20b%2Fc~d")
        #expect(SigV4Signer.uriEncode("a b/c~d", keepSlash: true) == "a%20b/c~d")
    }
}
