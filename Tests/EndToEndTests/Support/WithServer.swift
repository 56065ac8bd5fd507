/// Runs `body` against a fresh `berth` server and always cleans it up.
func withServer<R>(_ body: (BerthInstance, RegistryHTTP) async throws -> R) async throws -> R {
    let server = try await BerthInstance.start()
    do {
        let result = try await body(server, RegistryHTTP(base: server.baseURL))
        await server.destroy()
        return result
    } catch {
        await server.destroy()
        throw error
    }
}
