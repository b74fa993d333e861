/// Keeping `vnc_password` out of logs (design §4).
///
/// `"\(object)"`, `String(reflecting:)`, `dump` and the default description of any struct that
/// holds an `Object` all go through these conformances, so none of them can print the password.
extension Object: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// What ``redacted()`` writes in place of a password.
    public static let passwordMask = "********"

    /// A copy in which every VNC password, this object's and its dependencies', is replaced by
    /// ``passwordMask``: for logs, events and anything a user reads back.
    public func redacted() -> Object {
        mapObjects { object in
            var object = object
            if object.vncPassword != nil {
                object.vncPassword = Object.passwordMask
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
        add("size", size?.description)
        add("url", url)
        add("source", source)
        add("format", format)
        add("checksum", checksum)
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
