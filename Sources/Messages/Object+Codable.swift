/// Strict decoding of objects.
///
/// Users write these by hand, so anything surprising is an error that names its key rather than
/// something silently ignored: an unknown key, a field of another type (`vcpus` on a volume), a
/// desired state the type does not have, or a `variable` reference that carries more than its
/// name. An `id` reference (no `type`) may carry fields, as a change to an existing resource.
extension Object: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, extraKeys: [])
    }

    /// Decodes an object whose mapping also holds `extraKeys` belonging to an enclosing
    /// message (a heartbeat is an agent object plus its interval).
    init(from decoder: any Decoder, extraKeys: Set<String>) throws {
        var fields = FieldCollector(try decoder.container(keyedBy: ObjectKey.self))
        var present: [ObjectKey] = []
        for key in try decoder.presentKeys() where !extraKeys.contains(key.stringValue) {
            if let known = ObjectKey(rawValue: key.stringValue) {
                present.append(known)
            } else if !decoder.ignoresUnknownKeys {
                fields.problems.append(FieldProblem(
                    codingPath: decoder.codingPath + [key],
                    message: "unknown key '\(key.stringValue)'"
                ))
            }
        }
        let keys = Set(present)
        let type = fields.decode(ObjectType.self, .type)

        if keys.contains(.variable) {
            for key in present where key != .variable {
                fields.add(key, "a variable reference carries only 'variable', not '\(key.stringValue)'")
            }
        } else if let type {
            for key in present where ObjectKey.typeFields.contains(key) && !type.fieldKeys.contains(key) {
                fields.add(key, "'\(key.stringValue)' does not belong to \(type.rawValue)")
            }
        } else if !keys.contains(.type) && !keys.contains(.id) {
            fields.problems.append(FieldProblem(
                codingPath: decoder.codingPath,
                message: "an object needs a 'type', or is a reference by 'id' or 'variable'"
            ))
        }
        if keys.contains(.state) && keys.contains(.status) {
            fields.add(.status, "both 'state' and 'status' given; they name the same desired state")
        }
        if keys.contains(.dependencies) && keys.contains(.relatioins) {
            fields.add(.relatioins, "both 'dependencies' and its misspelling 'relatioins' given; write only 'dependencies'")
        }

        let stateKey: ObjectKey = keys.contains(.state) ? .state : .status
        self.init(
            type: type,
            id: fields.decode(ObjectID.self, .id),
            variable: fields.decode(String.self, .variable),
            name: fields.decode(String.self, .name),
            desiredState: fields.decode(String.self, stateKey),
            arch: fields.decode(String.self, .arch),
            vcpus: fields.decode(Int.self, .vcpus),
            memory: fields.decode(Size.self, .memory),
            vncPassword: fields.decode(String.self, .vncPassword),
            kernel: fields.decode(String.self, .kernel),
            initrd: fields.decode(String.self, .initrd),
            cmdline: fields.decode(String.self, .cmdline),
            hostname: fields.decode(String.self, .hostname),
            sshAuthorizedKeys: fields.decode([String].self, .sshAuthorizedKeys),
            userData: fields.decode(String.self, .userData),
            size: fields.decode(Size.self, .size),
            url: fields.decode(String.self, .url),
            source: fields.decode(String.self, .source),
            hwAddr: fields.decode(String.self, .hwAddr),
            ipAddresses: fields.decode([String].self, .ipAddresses),
            bridge: fields.decode(String.self, .bridge),
            subnets: fields.decode([Subnet].self, .subnets),
            parameters: fields.decode(NetworkParameters.self, .parameters),
            hostID: fields.decode(ObjectID.self, .hostID),
            capacity: fields.decode(Capacity.self, .capacity),
            dependencies: fields.decode([Dependency].self, keys.contains(.relatioins) ? .relatioins : .dependencies),
            vncAddress: fields.decode(String.self, .vncAddress)
        )
        if variable?.isEmpty == true {
            fields.add(.variable, "a variable name must not be empty")
        }
        if let name, let problem = ObjectName.problem(name) {
            fields.add(.name, problem)
        }
        if let type, let desiredState, !type.allowedDesiredStates.contains(desiredState) {
            fields.add(stateKey, "\(stateKey.stringValue) '\(desiredState)' is not allowed for \(type.rawValue); "
                + "expected \(englishList(type.allowedDesiredStates))")
        }
        try fields.finish()
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ObjectKey.self)
        try container.encodeIfPresent(type, forKey: .type)
        try container.encodeIfPresent(id, forKey: .id)
        try container.encodeIfPresent(variable, forKey: .variable)
        try container.encodeIfPresent(name, forKey: .name)
        let stateKey: ObjectKey = type?.desiredStateKey == "state" ? .state : .status
        try container.encodeIfPresent(desiredState, forKey: stateKey)
        try container.encodeIfPresent(arch, forKey: .arch)
        try container.encodeIfPresent(vcpus, forKey: .vcpus)
        try container.encodeIfPresent(memory, forKey: .memory)
        try container.encodeIfPresent(vncPassword, forKey: .vncPassword)
        try container.encodeIfPresent(kernel, forKey: .kernel)
        try container.encodeIfPresent(initrd, forKey: .initrd)
        try container.encodeIfPresent(cmdline, forKey: .cmdline)
        try container.encodeIfPresent(hostname, forKey: .hostname)
        try container.encodeIfPresent(sshAuthorizedKeys, forKey: .sshAuthorizedKeys)
        try container.encodeIfPresent(userData, forKey: .userData)
        try container.encodeIfPresent(vncAddress, forKey: .vncAddress)
        try container.encodeIfPresent(size, forKey: .size)
        try container.encodeIfPresent(url, forKey: .url)
        try container.encodeIfPresent(source, forKey: .source)
        try container.encodeIfPresent(hwAddr, forKey: .hwAddr)
        try container.encodeIfPresent(ipAddresses, forKey: .ipAddresses)
        try container.encodeIfPresent(bridge, forKey: .bridge)
        try container.encodeIfPresent(subnets, forKey: .subnets)
        try container.encodeIfPresent(parameters, forKey: .parameters)
        try container.encodeIfPresent(hostID, forKey: .hostID)
        try container.encodeIfPresent(capacity, forKey: .capacity)
        try container.encodeIfPresent(dependencies, forKey: .dependencies)
    }
}
