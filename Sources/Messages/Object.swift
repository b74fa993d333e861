/// One object of the resource graph, as it travels in documents and messages: a VM, volume,
/// NIC, network or agent, or a reference to one.
///
/// A single struct with optional fields, rather than one type per kind, because the same object
/// is seen half-filled at every stage (the user leaves out `id`, the scheduler adds `hw_addr`,
/// the agent adds `url` and `bridge`) and services mostly pass it along. Decoding enforces what
/// the types cannot: only the fields of the object's `type` may appear (see `Object+Codable`).
///
/// Three shapes occur:
/// - a full object: `type` set, plus `id` once the API has assigned one;
/// - a reference to an existing resource: `type == nil`, `id` set, and optionally changed fields;
/// - a reference to a top-level variable of a submitted document: only `variable` set.
public struct Object: Sendable, Hashable {
    /// `nil` only for references.
    public var type: ObjectType?
    public var id: ObjectID?
    /// The top-level variable this reference points at; only in submitted documents, which the
    /// API resolves into ids before anything else sees them.
    public var variable: String?
    public var name: String?
    /// The desired state (`running`, `applied`, …). On the wire it is `state` for networks and
    /// agents and `status` for the others (``ObjectType/desiredStateKey``); either is accepted.
    public var desiredState: String?

    // resource/vm/kvm
    public var arch: String?
    public var vcpus: Int?
    public var memory: Size?
    /// Never logged: ``description`` masks it and ``redacted()`` removes it.
    public var vncPassword: String?
    public var kernel: String?
    public var initrd: String?
    public var cmdline: String?
    /// The guest's host name, given to it by the cloud-init seed (``HostName``).
    public var hostname: String?
    /// OpenSSH public key lines the guest authorises (``SSHAuthorizedKey``).
    public var sshAuthorizedKeys: [String]?
    /// cloud-init user-data, passed to the guest as it is (``UserData``). Never logged, like
    /// ``vncPassword``: ``description`` masks it and ``redacted()`` removes it.
    public var userData: String?

    // resource/volume/file
    public var size: Size?
    /// Where the volume lives, set by the volumer (`file:///…`).
    public var url: String?
    /// An image to copy the new volume from.
    public var source: String?

    // resource/nic
    public var hwAddr: String?
    public var ipAddresses: [String]?

    // resource/network/vlan
    /// The Linux bridge, set by the porter.
    public var bridge: String?
    public var subnets: [Subnet]?
    public var parameters: NetworkParameters?

    // agent/…
    public var hostID: ObjectID?
    public var capacity: Capacity?

    public var dependencies: [Dependency]?

    /// resource/vm/kvm: where the VM's VNC console listens (`127.0.0.1:5901`), as libvirt
    /// assigned it to the running guest; set by the compute agent, absent while it is not running.
    public var vncAddress: String?

    public init(
        type: ObjectType? = nil,
        id: ObjectID? = nil,
        variable: String? = nil,
        name: String? = nil,
        desiredState: String? = nil,
        arch: String? = nil,
        vcpus: Int? = nil,
        memory: Size? = nil,
        vncPassword: String? = nil,
        kernel: String? = nil,
        initrd: String? = nil,
        cmdline: String? = nil,
        hostname: String? = nil,
        sshAuthorizedKeys: [String]? = nil,
        userData: String? = nil,
        size: Size? = nil,
        url: String? = nil,
        source: String? = nil,
        hwAddr: String? = nil,
        ipAddresses: [String]? = nil,
        bridge: String? = nil,
        subnets: [Subnet]? = nil,
        parameters: NetworkParameters? = nil,
        hostID: ObjectID? = nil,
        capacity: Capacity? = nil,
        dependencies: [Dependency]? = nil,
        vncAddress: String? = nil
    ) {
        self.type = type
        self.id = id
        self.variable = variable
        self.name = name
        self.desiredState = desiredState
        self.arch = arch
        self.vcpus = vcpus
        self.memory = memory
        self.vncPassword = vncPassword
        self.kernel = kernel
        self.initrd = initrd
        self.cmdline = cmdline
        self.hostname = hostname
        self.sshAuthorizedKeys = sshAuthorizedKeys
        self.userData = userData
        self.size = size
        self.url = url
        self.source = source
        self.hwAddr = hwAddr
        self.ipAddresses = ipAddresses
        self.bridge = bridge
        self.subnets = subnets
        self.parameters = parameters
        self.hostID = hostID
        self.capacity = capacity
        self.dependencies = dependencies
        self.vncAddress = vncAddress
    }

    /// A reference to an existing object by id (how `Spec` messages name dependencies).
    public static func reference(_ id: ObjectID) -> Object {
        Object(id: id)
    }

    /// A reference to a top-level variable of a submitted document.
    public static func reference(variable: String) -> Object {
        Object(variable: variable)
    }

    /// True for `variable` and `id` references, which carry no `type`.
    public var isReference: Bool {
        type == nil
    }
}
