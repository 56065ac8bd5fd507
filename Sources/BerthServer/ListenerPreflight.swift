import NIOCore
import NIOPosix

/// Checks, before the server starts, that each address it is configured to listen on can be bound, so that a port
/// another process holds is reported by the setting that names it rather than as a bare `bind` failure after start.
/// (A port taken between this check and the real bind still stops the server before it says it is listening.)
enum ListenerPreflight {
    /// One listener: the setting that configures it, its address and port (0: any free port, not checked).
    struct Listener {
        let setting: String
        let address: String
        let port: Int
    }

    /// Binds and closes each listener's address in turn; throws a `ConfigurationError` naming the first that fails or
    /// that shares its port with another.
    static func check(_ listeners: [Listener]) async throws {
        var checked: [Listener] = []
        for listener in listeners where listener.port != 0 {
            if let other = checked.first(where: { $0.port == listener.port && overlaps($0.address, listener.address) }) {
                throw ConfigurationError("\(listener.setting): port \(listener.port) is also \(other.setting); each listener needs a port of its own")
            }
            checked.append(listener)
            do {
                let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: listener.address, port: listener.port).get()
                try await channel.close()
            } catch let error as IOError {
                throw ConfigurationError("\(listener.setting): cannot listen on \(listener.address) port \(listener.port): \(reason(error))")
            } catch {
                throw ConfigurationError("\(listener.setting): cannot listen on \(listener.address) port \(listener.port): \(error)")
            }
        }
    }

    /// Whether two listen addresses can collide on one port: the same address, or either is every interface.
    private static func overlaps(_ a: String, _ b: String) -> Bool {
        let everywhere: Set<String> = ["", "0.0.0.0", "::", "[::]"]
        return a == b || everywhere.contains(a) || everywhere.contains(b)
    }

    private static func reason(_ error: IOError) -> String {
        switch error.errnoCode {
        case EADDRINUSE: "the address is already in use by another process"
        case EACCES: "permission denied (ports below 1024 need privileges)"
        case EADDRNOTAVAIL: "this machine has no such address"
        default: "\(error)"
        }
    }
}
