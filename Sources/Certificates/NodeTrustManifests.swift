/// Ready-to-apply texts that install a registry's CA on every node of a fleet: a Kubernetes DaemonSet (new nodes
/// trust the registry as they join) and a cloud-init snippet (for machines as they boot). Both carry the CA itself, so
/// nothing on the node has to fetch or verify it.
extension NodeTrust {
    /// A ConfigMap and a DaemonSet for `namespace` that keep the runtime trust files on every node, using `image`
    /// (any image with a POSIX shell).
    public func kubernetesManifest(namespace: String = "kube-system", image: String = "busybox:1.36") -> String {
        let name = "berth-trust-" + String(registry.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }).prefix(40)
        let script = """
            set -eu
            install_file() { mkdir -p "$(dirname "$2")"; if ! cmp -s "$1" "$2"; then cp "$1" "$2.tmp" && mv "$2.tmp" "$2"; echo "wrote $2"; fi; }
            while true; do
              for d in /host/etc/containerd/certs.d /host/etc/docker/certs.d /host/etc/containers/certs.d; do
                install_file /berth/ca.crt "$d/\(registry)/ca.crt"
              done
              hosts=/host/etc/containerd/certs.d/\(registry)/hosts.toml
              if [ ! -f "$hosts" ] || head -n 1 "$hosts" | grep -q '^\(Self.marker)'; then install_file /berth/hosts.toml "$hosts"; fi
              sleep 3600
            done
            """
        let mounts = [("containerd", "/etc/containerd/certs.d"), ("docker", "/etc/docker/certs.d"), ("containers", "/etc/containers/certs.d")]
        return """
            # Makes every node trust the registry \(registry): containerd, docker and podman/CRI-O trust files.
            # Apply with: kubectl apply -f <this file>
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: \(name)
              namespace: \(namespace)
            data:
              ca.crt: |
            \(Self.indent(certificatePEM, by: 4))
              hosts.toml: |
            \(Self.indent(containerdHostsTOML, by: 4))
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: \(name)
              namespace: \(namespace)
              labels: {app.kubernetes.io/name: berth-trust}
            spec:
              selector:
                matchLabels: {app.kubernetes.io/name: berth-trust, berth.registry: \(name)}
              template:
                metadata:
                  labels: {app.kubernetes.io/name: berth-trust, berth.registry: \(name)}
                spec:
                  tolerations: [{operator: Exists}]
                  priorityClassName: system-node-critical
                  containers:
                    - name: install
                      image: \(image)
                      command: ["/bin/sh", "-c"]
                      args:
                        - |
            \(Self.indent(script, by: 14))
                      resources: {requests: {cpu: 1m, memory: 8Mi}, limits: {memory: 32Mi}}
                      volumeMounts:
                        - {name: trust, mountPath: /berth, readOnly: true}
            \(mounts.map { "            - {name: \($0.0), mountPath: /host\($0.1)}" }.joined(separator: "\n"))
                  volumes:
                    - name: trust
                      configMap: {name: \(name)}
            \(mounts.map { "        - name: \($0.0)\n          hostPath: {path: \($0.1), type: DirectoryOrCreate}" }.joined(separator: "\n"))

            """
    }

    /// A `#cloud-config` document writing the trust files for every runtime (and the system store when given).
    public func cloudInit(systemStore: SystemTrustStore?) -> String {
        var text = "#cloud-config\n# Makes this machine trust the registry \(registry) (containerd, docker, podman/skopeo/buildah).\nwrite_files:\n"
        for file in files(for: ContainerRuntime.allCases, systemStore: systemStore) {
            text += "  - path: \(file.path)\n    permissions: '0644'\n    content: |\n\(Self.indent(file.content, by: 6))\n"
        }
        if let systemStore { text += "runcmd:\n  - [\(systemStore.refreshCommand)]\n" }
        return text
    }

    static func indent(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .reversed().drop(while: { $0.isEmpty }).reversed()
            .map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
    }
}
