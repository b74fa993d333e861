import Messages

extension Object {
    /// Whether a reference (`id: X`) carries fields beside its id, which makes it a change to
    /// that resource (the seed's `id: …` with `size: 100gb`).
    var hasChanges: Bool {
        var bare = self
        bare.id = nil
        bare.variable = nil
        bare.dependencies = nil
        return bare != Object() || dependencies != nil
    }

    /// This object with every field `changes` sets replaced by its value.
    func applying(changes: Object) -> Object {
        var result = self
        if let v = changes.name { result.name = v }
        if let v = changes.desiredState { result.desiredState = v }
        if let v = changes.arch { result.arch = v }
        if let v = changes.vcpus { result.vcpus = v }
        if let v = changes.memory { result.memory = v }
        if let v = changes.vncPassword { result.vncPassword = v }
        if let v = changes.kernel { result.kernel = v }
        if let v = changes.initrd { result.initrd = v }
        if let v = changes.cmdline { result.cmdline = v }
        if let v = changes.hostname { result.hostname = v }
        if let v = changes.sshAuthorizedKeys { result.sshAuthorizedKeys = v }
        if let v = changes.userData { result.userData = v }
        if let v = changes.size { result.size = v }
        if let v = changes.source { result.source = v }
        if let v = changes.hwAddr { result.hwAddr = v }
        if let v = changes.ipAddresses { result.ipAddresses = v }
        if let v = changes.subnets { result.subnets = v }
        if let v = changes.parameters { result.parameters = v }
        if let v = changes.dependencies { result.dependencies = v }
        return result
    }
}
