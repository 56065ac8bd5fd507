import Foundation
import OCI
import Testing

@Suite("Manifest parser")
struct ManifestParserTests {
    let config = #"{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:\#(String(repeating: "1", count: 64))","size":10}"#
    let layer = #"{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:\#(String(repeating: "2", count: 64))","size":20}"#

    func parse(_ json: String, _ contentType: String? = nil) throws(DistributionError) -> ParsedManifest {
        try ManifestParser.parse(Array(json.utf8), contentType: contentType)
    }

    @Test("an OCI image manifest yields its blobs and the config type as artifact type")
    func image() throws {
        let m = try parse(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(config),"layers":[\#(layer)]}"#)
        #expect(m.mediaType == MediaType.ociManifest)
        #expect(m.blobs.map(\.hex) == [String(repeating: "1", count: 64), String(repeating: "2", count: 64)])
        #expect(m.artifactType == "application/vnd.oci.image.config.v1+json")
        #expect(m.subject == nil)
    }

    @Test("artifactType and subject are read; the media type can come from Content-Type")
    func artifact() throws {
        let subject = #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(String(repeating: "3", count: 64))","size":5}"#
        let m = try parse(#"{"schemaVersion":2,"artifactType":"application/x.sbom","config":\#(config),"layers":[],"subject":\#(subject),"annotations":{"a":"b"}}"#,
                          MediaType.ociManifest)
        #expect(m.artifactType == "application/x.sbom")
        #expect(m.subject?.hex == String(repeating: "3", count: 64))
        #expect(m.annotations == ["a": "b"])
    }

    @Test("an index lists its child manifests")
    func index() throws {
        let child = #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:\#(String(repeating: "4", count: 64))","size":5}"#
        let m = try parse(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(child)]}"#)
        #expect(m.isIndex)
        #expect(m.manifests.count == 1)
        #expect(m.artifactType == nil)
    }

    @Test("foreign layers with URLs are not required in the registry")
    func foreignLayers() throws {
        let foreign = #"{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","digest":"sha256:\#(String(repeating: "5", count: 64))","size":1,"urls":["https://example.com/x"]}"#
        let m = try parse(#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":\#(config),"layers":[\#(foreign)]}"#)
        #expect(m.blobs.count == 1)
    }

    @Test("invalid documents are MANIFEST_INVALID with a reason", arguments: [
        "not json",
        "[]",
        #"{"schemaVersion":1,"fsLayers":[]}"#,
        #"{"schemaVersion":3}"#,
        #"{"mediaType":"application/vnd.oci.image.manifest.v1+json"}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#,
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}"#,
        #"{"schemaVersion":2,"mediaType":"text/plain","config":{}}"#,
        #"{"schemaVersion":2,"config":{"mediaType":"x/y","digest":"sha256:abc","size":1},"layers":[]}"#,
        #"{"schemaVersion":2,"config":{"mediaType":"x/y","digest":"sha256:\#(String(repeating: "1", count: 64))","size":-1},"layers":[]}"#,
        #"{"schemaVersion":2,"config":{"mediaType":"x/y","digest":"sha256:\#(String(repeating: "1", count: 64))","size":1},"layers":"no"}"#,
    ])
    func invalid(_ json: String) {
        do {
            _ = try parse(json)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.code == .manifestInvalid)
        }
    }

    @Test("a body mediaType that contradicts Content-Type is rejected")
    func mismatch() {
        #expect(throws: DistributionError.self) {
            try parse(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(config),"layers":[]}"#, MediaType.ociIndex)
        }
    }
}
