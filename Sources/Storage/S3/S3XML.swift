import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The few S3 XML answers the driver reads, parsed into element paths and texts.
enum S3XML {
    /// Every element with text, in document order, as (`Parent/Child`, text) without the root element's name.
    static func elements(_ data: Data) -> [(path: String, text: String)] {
        let delegate = Collector()
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        _ = parser.parse()
        return delegate.found
    }

    /// The text of the first element at `path`.
    static func first(_ path: String, in data: Data) -> String? {
        elements(data).first { $0.path == path }?.text
    }

    /// An `<Error>` document's code and message, if `data` is one.
    static func error(in data: Data) -> (code: String, message: String)? {
        let found = elements(data)
        guard let code = found.first(where: { $0.path == "Code" })?.text else { return nil }
        return (code, found.first { $0.path == "Message" }?.text ?? "")
    }

    /// One object of a ListObjectsV2 answer.
    struct ListedObject {
        var key: String
        var size: Int64
        var lastModified: String
    }

    /// A ListObjectsV2 page: objects, common prefixes, and the token for the next page.
    static func listing(_ data: Data) -> (objects: [ListedObject], prefixes: [String], next: String?) {
        var objects: [ListedObject] = []
        var prefixes: [String] = []
        var next: String?
        var truncated = false
        for (path, text) in elements(data) {
            switch path {
            case "Contents/Key": objects.append(ListedObject(key: text, size: 0, lastModified: ""))
            case "Contents/Size": if !objects.isEmpty { objects[objects.count - 1].size = Int64(text) ?? 0 }
            case "Contents/LastModified": if !objects.isEmpty { objects[objects.count - 1].lastModified = text }
            case "CommonPrefixes/Prefix": prefixes.append(text)
            case "IsTruncated": truncated = text == "true"
            case "NextContinuationToken": next = text
            default: break
            }
        }
        return (objects, prefixes, truncated ? next : nil)
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var found: [(path: String, text: String)] = []
        private var stack: [String] = []
        private var text = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(name)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let path = stack.dropFirst().joined(separator: "/")
            if !path.isEmpty, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { found.append((path, text)) }
            if stack.count == 1, path.isEmpty, !text.isEmpty { found.append((name, text)) }
            stack.removeLast()
            text = ""
        }
    }
}
