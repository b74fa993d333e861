import Messages

extension Object {
    /// This object (as the graph stores it) with the fields an agent fills in taken from
    /// `reported` (the object in its `Notify`): a volume's `url`, a network's `bridge`, a NIC's
    /// `hw_addr`, a VM's `vnc_address` (taken as reported: a VM that is not running has none,
    /// and the port may change at each start). Everything the user controls stays as stored — the desired state, the
    /// dependencies by id, and the VM's `vnc_password`, which a `Notify` need not carry.
    func mergingObservedFields(from reported: Object) -> Object {
        var merged = self
        merged.url = reported.url ?? url
        merged.bridge = reported.bridge ?? bridge
        merged.hwAddr = reported.hwAddr ?? hwAddr
        if type == .vmKVM { merged.vncAddress = reported.vncAddress }
        return merged
    }
}
