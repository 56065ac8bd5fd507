/// Debian control-file syntax (deb822), which dpkg's status database uses: paragraphs separated by blank lines, each
/// `Field: value` with continuation lines that start with a space or tab. Python's `METADATA`/`PKG-INFO` headers
/// use the same shape (one paragraph, then a body), and apk's database a close cousin (`apk`'s own reader).
public enum ControlFile {
    /// The paragraphs of `text`, each a map from field name (as written) to its value (continuation lines joined
    /// with newlines). Lines that are neither fields nor continuations are skipped.
    public static func paragraphs(_ text: String, limit: Int = .max) -> [[String: String]] {
        var paragraphs: [[String: String]] = []
        var current: [String: String] = [:]
        var lastField: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if rawLine.trimmingSpaces().isEmpty {
                if !current.isEmpty {
                    paragraphs.append(current)
                    if paragraphs.count >= limit { return paragraphs }
                }
                current = [:]
                lastField = nil
                continue
            }
            if let first = rawLine.first, first == " " || first == "\t" {
                if let field = lastField { current[field, default: ""] += "\n" + rawLine.trimmingSpaces() }
                continue
            }
            guard let colon = rawLine.firstIndex(of: ":") else { continue }
            let name = String(rawLine[..<colon])
            guard !name.isEmpty, !name.contains(" ") else { continue }
            current[name] = String(rawLine[rawLine.index(after: colon)...].trimmingSpaces())
            lastField = name
        }
        if !current.isEmpty { paragraphs.append(current) }
        return paragraphs
    }
}

/// dpkg's record of installed packages: `/var/lib/dpkg/status`, and distroless images' `/var/lib/dpkg/status.d/*`
/// (one file per package, without a `Status` field).
public enum DpkgStatus {
    /// The installed packages `text` lists, found at `location`. A package whose `Status` says anything but
    /// installed (removed with its configuration left, half-installed) is not installed.
    public static func packages(_ text: String, location: String) -> [InstalledPackage] {
        ControlFile.paragraphs(text).compactMap { fields in
            guard let name = fields["Package"], !name.isEmpty, let version = fields["Version"], !version.isEmpty else { return nil }
            if let status = fields["Status"], status.split(separator: " ").last != "installed" { return nil }
            var sourceName: String?, sourceVersion: String?
            if let source = fields["Source"], !source.isEmpty {
                // `Source: name` or `Source: name (version)` when the source's version differs (binNMUs).
                let parts = source.split(separator: " ", maxSplits: 1)
                sourceName = String(parts[0])
                if parts.count == 2 {
                    let inner = parts[1].trimmingSpaces()
                    if inner.hasPrefix("("), inner.hasSuffix(")") { sourceVersion = String(inner.dropFirst().dropLast().trimmingSpaces()) }
                }
            }
            return InstalledPackage(ecosystem: .deb, name: name, version: version, sourceName: sourceName ?? name,
                                    sourceVersion: sourceVersion ?? version, architecture: fields["Architecture"], location: location)
        }
    }
}

/// Alpine's installed database `/lib/apk/db/installed`: paragraphs of one-letter fields (`P:` name, `V:` version,
/// `A:` architecture, `o:` origin, the source package).
public enum ApkInstalled {
    /// The installed packages `text` lists, found at `location`.
    public static func packages(_ text: String, location: String) -> [InstalledPackage] {
        var packages: [InstalledPackage] = []
        var fields: [Character: String] = [:]
        func flush() {
            if let name = fields["P"], !name.isEmpty, let version = fields["V"], !version.isEmpty {
                packages.append(InstalledPackage(ecosystem: .apk, name: name, version: version, sourceName: fields["o"] ?? name,
                                                 sourceVersion: version, architecture: fields["A"], location: location))
            }
            fields = [:]
        }
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.isEmpty { flush(); continue }
            guard line.count >= 2, let key = line.first, line[line.index(after: line.startIndex)] == ":" else { continue }
            // Only the first occurrence counts (files' `F:`/`R:` lines repeat; `P`/`V` do not).
            if fields[key] == nil { fields[key] = String(line.dropFirst(2)) }
        }
        flush()
        return packages
    }
}
