import AgentRuntime
import Messages

extension ComputeKVMDriver {
    /// The VM's serial log as libvirt writes it, `console/n0-ID.log` under the agent's state
    /// directory (the domain's `<serial type='file'>`), read within the request's bounds.
    public func consoleLog(of id: ObjectID, range: ConsoleRange, maxBytes: Int) async throws -> ConsoleExcerpt {
        let path = DomainName.consoleLog(of: id, in: configuration.consoleDirectory)
        guard let excerpt = try ConsoleLogFile.read(path: path, range: range, maxBytes: maxBytes) else {
            throw ConsoleLogError.noLog(id)
        }
        return excerpt
    }
}
