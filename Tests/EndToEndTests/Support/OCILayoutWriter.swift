import Foundation
import OCI

/// Writes OCI image layouts (the `oci:` transport of skopeo) with uncompressed tar layers of random files.
enum OCILayoutWriter {
    struct Written {
        /// Digest of what the tag points to (a manifest, or an index for multi-platform images).
        let topDigest: Digest
        /// Every blob digest in the layout.
        let blobs: Set<Digest>
    }

    /// Writes an image with `layerSizes.count` layers; with several `platforms`, the tag points to an index.
    /// A layout directory being written: its blobs, and JSON as layouts want it.
    private final class LayoutDirectory {
        let dir: String
        var blobs = Set<Digest>()

        init(_ dir: String) throws {
            self.dir = dir
            try FileManager.default.createDirectory(atPath: "\(dir)/blobs/sha256", withIntermediateDirectories: true)
            try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: "\(dir)/oci-layout"))
        }

        func store(_ bytes: [UInt8]) throws -> Digest {
            let digest = Digest.compute(of: bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/blobs/sha256/\(digest.hex)"))
            blobs.insert(digest)
            return digest
        }

        func json(_ object: Any) throws -> [UInt8] { Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) }
    }

    static func write(to dir: String, tag: String, layerSizes: [Int], platforms: [String] = ["linux/amd64"]) throws -> Written {
        let layout = try LayoutDirectory(dir)
        func store(_ bytes: [UInt8]) throws -> Digest { try layout.store(bytes) }
        func json(_ object: Any) throws -> [UInt8] { try layout.json(object) }

        var manifests: [[String: Any]] = []
        for platform in platforms {
            let parts = platform.split(separator: "/").map(String.init)
            var layerDescriptors: [[String: Any]] = []
            var diffIDs: [String] = []
            for (i, size) in layerSizes.enumerated() {
                let tar = tarArchive(name: "layer\(i).bin", contents: randomBytes(size))
                let gzipped = gzipStored(tar)
                let digest = try store(gzipped)
                layerDescriptors.append(["mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest.description, "size": gzipped.count])
                diffIDs.append(Digest.compute(of: tar).description)
            }
            let config = try json([
                "architecture": parts[1], "os": parts[0],
                "config": ["Env": ["PATH=/usr/bin"]],
                "rootfs": ["type": "layers", "diff_ids": diffIDs],
            ])
            let configDigest = try store(config)
            let manifest = try json([
                "schemaVersion": 2, "mediaType": MediaType.ociManifest,
                "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": configDigest.description, "size": config.count],
                "layers": layerDescriptors,
            ])
            let manifestDigest = try store(manifest)
            manifests.append(["mediaType": MediaType.ociManifest, "digest": manifestDigest.description, "size": manifest.count,
                              "platform": ["os": parts[0], "architecture": parts[1]]])
        }
        var top = manifests[0]
        if platforms.count > 1 {
            let index = try json(["schemaVersion": 2, "mediaType": MediaType.ociIndex, "manifests": manifests])
            let indexDigest = try store(index)
            top = ["mediaType": MediaType.ociIndex, "digest": indexDigest.description, "size": index.count]
        } else {
            top.removeValue(forKey: "platform")
        }
        top["annotations"] = ["org.opencontainers.image.ref.name": tag]
        let layoutIndex = try json(["schemaVersion": 2, "manifests": [top]])
        try Data(layoutIndex).write(to: URL(fileURLWithPath: "\(dir)/index.json"))
        return Written(topDigest: try Digest(parsing: top["digest"] as! String), blobs: layout.blobs)
    }

    /// Writes a single-platform image whose layers are the given tar archives (bottom first), each gzip-compressed by
    /// the gzip command as image builders do.
    static func write(to dir: String, tag: String, layerTars: [[UInt8]]) throws -> Written {
        let fm = FileManager.default
        let layout = try LayoutDirectory(dir)
        func store(_ bytes: [UInt8]) throws -> Digest { try layout.store(bytes) }
        func json(_ object: Any) throws -> [UInt8] { try layout.json(object) }
        var layers: [[String: Any]] = []
        var diffIDs: [String] = []
        for tar in layerTars {
            let raw = "\(dir)/layer-\(UUID().uuidString)"
            try Data(tar).write(to: URL(fileURLWithPath: raw))
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
            gzip.arguments = ["-n", "-q", raw]
            try gzip.run()
            gzip.waitUntilExit()
            let gzipped = Array(try Data(contentsOf: URL(fileURLWithPath: raw + ".gz")))
            try fm.removeItem(atPath: raw + ".gz")
            let digest = try store(gzipped)
            layers.append(["mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest.description, "size": gzipped.count])
            diffIDs.append(Digest.compute(of: tar).description)
        }
        let config = try json(["architecture": "amd64", "os": "linux", "config": ["Env": ["PATH=/usr/bin"]],
                               "rootfs": ["type": "layers", "diff_ids": diffIDs]])
        let configDigest = try store(config)
        let manifest = try json([
            "schemaVersion": 2, "mediaType": MediaType.ociManifest,
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": configDigest.description, "size": config.count],
            "layers": layers,
        ])
        let manifestDigest = try store(manifest)
        let top: [String: Any] = ["mediaType": MediaType.ociManifest, "digest": manifestDigest.description, "size": manifest.count,
                                  "annotations": ["org.opencontainers.image.ref.name": tag]]
        try Data(try json(["schemaVersion": 2, "manifests": [top]])).write(to: URL(fileURLWithPath: "\(dir)/index.json"))
        return Written(topDigest: manifestDigest, blobs: layout.blobs)
    }

    /// A tar archive (GNU tar, pax format) of a directory tree.
    static func tarDirectory(_ root: String) throws -> [UInt8] {
        let output = root + ".tar"
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["--format=pax", "--sort=name", "-cf", output, "-C", root, "."]
        try tar.run()
        tar.waitUntilExit()
        defer { try? FileManager.default.removeItem(atPath: output) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// Digests of every blob file in a layout directory.
    static func blobDigests(in dir: String) throws -> Set<Digest> {
        Set(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/blobs/sha256").map { try Digest(parsing: "sha256:\($0)") })
    }

    /// A valid gzip stream of `bytes` using deflate "stored" blocks (no compression, which random data would not get anyway).
    static func gzipStored(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
        var offset = 0
        repeat {
            let n = min(65535, bytes.count - offset)
            let final: UInt8 = offset + n == bytes.count ? 1 : 0
            out.append(final)
            out += [UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
            out += bytes[offset ..< offset + n]
            offset += n
        } while offset < bytes.count
        let crc = crc32(bytes)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xff)) }
        let size = UInt32(truncatingIfNeeded: bytes.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(shift)) & 0xff)) }
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var table = [UInt32](repeating: 0, count: 256)
        for i in 0 ..< 256 {
            var c = UInt32(i)
            for _ in 0 ..< 8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            table[i] = c
        }
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// A ustar archive holding one regular file.
    static func tarArchive(name: String, contents: [UInt8]) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (i, b) in text.utf8.enumerated() { header[offset + i] = b }
        }
        func octal(_ value: Int, width: Int) -> String {
            let s = String(value, radix: 8)
            return String(repeating: "0", count: max(0, width - 1 - s.count)) + s
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(contents.count, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put("        ", at: 148)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(octal(checksum, width: 7), at: 148)
        header[155] = 0x20
        var out = header + contents
        out += [UInt8](repeating: 0, count: (512 - contents.count % 512) % 512)
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }
}
