import Registry

extension BerthConfiguration {
    /// The registry settings these settings stand for.
    var registryConfiguration: RegistryConfiguration {
        var registry = RegistryConfiguration()
        registry.deleteEnabled = self.registry.deleteEnabled
        registry.garbageGraceMilliseconds = gc.graceSeconds * 1000
        registry.uploadMaximumAgeSeconds = uploads.maxAgeSeconds
        registry.uploadSessionsPerOwner = uploads.maxSessionsPerAccount == 0 ? nil : uploads.maxSessionsPerAccount
        registry.uploadSessionsPerProject = uploads.maxSessionsPerProject == 0 ? nil : uploads.maxSessionsPerProject
        return registry
    }
}
