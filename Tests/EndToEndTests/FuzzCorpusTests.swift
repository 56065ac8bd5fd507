import Foundation
import Testing

/// The fuzz targets (scripts/fuzz) run in ordinary builds too: every seed and every input a past fuzzing run found
/// (Fuzz/corpus) is replayed through its target, so a fixed crash stays fixed.
@Suite("Fuzz corpus")
struct FuzzCorpusTests {
    static var repository: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    @Test("every committed fuzz input passes its target without a crash or a broken invariant",
          arguments: ["ranges", "names", "manifests", "scopes", "listquery", "accounts", "certificates", "versions", "tar", "layer", "advisories", "challenges", "patterns"])
    func replay(_ target: String) async throws {
        let binary = URL(fileURLWithPath: BerthInstance.binaryPath).deletingLastPathComponent().appendingPathComponent("berth-fuzz").path
        let corpus = Self.repository.appendingPathComponent("Fuzz/corpus/\(target)").path
        let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(!inputs.isEmpty)
        let result = try await ProcessRunner.run([binary, target, corpus])
        #expect(result.succeeded, "\(result.combined.suffix(3000))")
        #expect(result.stdout.contains("replayed \(inputs.count) inputs"))
    }
}
