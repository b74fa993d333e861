/// Keeping `vnc_password` and `user_data` out of logs (design §4).
///
/// `"\(object)"`, `String(reflecting:)`, `dump` and the default description of any struct that
/// holds an `Object` all go through these conformances, so none of them can print the password
/// or the user-data (which may hold anything: tokens, passwords, private keys).
extension Object: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// What ``redacted()`` writes in place of a password.
    public static let passwordMask = "********"

    /// A copy in which every VNC password and user-data, this object's and its dependencies', is
    /// replaced by ``passwordMask``: for logs, events and anything a user reads back.
    public func redacted() -> Object {
        mapObjects { object in
            var object = object
            if object.vncPassword != nil {
                object.vncPassword = Object.passwordMask
            }
            if object.userData != nil {
                object.userData = Object.passwordMask
            }
            return object
        }
    }

    /// One line: type, id and every set field, the password masked; dependencies by label, type
    /// and id only, to keep the line short.
    public var description: String {
        let fields = customMirror.children.map { child -> String in
            "\(child.label ?? "?"): \(child.value)"
        }
        return "Object(" + fields.joined(separator: ", ") + ")"
    }

    public var debugDescription: String {
        description
    }

    public var customMirror: Mirror {
        var children: [(label: String?, value: Any)] = []
        func add(_ label: String, _ value: (any Sendable)?) {
            if let value { children.append((label, value)) }
        }
        add("type", type?.rawValue)
        add("id", id?.description)
        add("variable", variable)
        add("name", name)
        add(type?.desiredStateKey ?? "status", desiredState)
        add("arch", arch)
        add("vcpus", vcpus)
        add("memory", memory?.description)
        add("vnc_password", vncPassword.map { _ in Object.passwordMask })
        add("kernel", kernel)
        add("initrd", initrd)
        add("cmdline", cmdline)
        add("hostname", hostname)
        add("ssh_authorized_keys", sshAuthorizedKeys.map { $0.count == 1 ? "1 key" : "\($0.count) keys" })
        add("user_data", userData.map { _ in Object.passwordMask })
        add("vnc_address", vncAddress)
        add("size", size?.description)
        add("url", url)
        add("source", source)
        add("hw_addr", hwAddr)
        add("ip_addresses", ipAddresses)
        add("bridge", bridge)
        add("subnets", subnets)
        add("parameters", parameters)
        add("host_id", hostID?.description)
        add("capacity", capacity.map { capacity in
            [capacity.vcpus.map { "vcpus \($0)" }, capacity.memory.map { "memory \($0)" }, capacity.disk.map { "disk \($0)" }]
                .compactMap { $0 }.joined(separator: ", ")
        })
        add("dependencies", dependencies.map { dependencies in
            "[" + dependencies.map { dependency in
                let target = dependency.object
                let what = [target.type?.rawValue, target.id?.description, target.variable.map { "variable " + $0 }]
                return "\(dependency.property.relation) → " + what.compactMap { $0 }.joined(separator: " ")
            }.joined(separator: "; ") + "]"
        })
        return Mirror(self, children: children, displayStyle: .struct)
    }
}
