import Hummingbird
import Mustache
import NIOCore

/// Renders portal pages from the compiled-in templates into HTML responses.
struct PortalRenderer: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in PortalTemplates.all {
            // The templates are part of the binary; one that does not parse is a bug caught by every portal test.
            do { try library.register(text, named: name) } catch { preconditionFailure("portal template \(name) does not parse: \(error)") }
        }
        self.library = library
    }

    /// An HTML page from template `name` filled from `context`.
    func page(_ name: String, _ context: Any, status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(PortalContext.prepare(context) ?? [String: Any](), withTemplate: name) ?? ""
        let body = ByteBuffer(string: html)
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .contentLength: String(body.readableBytes)],
                        body: ResponseBody(byteBuffer: body))
    }
}
