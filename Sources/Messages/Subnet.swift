/// One IP subnet of a network, with the DHCP service the porter runs on it.
public struct Subnet: Sendable, Hashable, Codable {
    /// e.g. `192.168.0.0/24`.
    public var cidr: String
    public var dhcp: DHCP?

    public init(cidr: String, dhcp: DHCP? = nil) {
        self.cidr = cidr
        self.dhcp = dhcp
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case cidr, dhcp
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cidr = try container.decode(String.self, forKey: .cidr)
        dhcp = try container.decodeIfPresent(DHCP.self, forKey: .dhcp)
    }
}

/// DHCP settings of a subnet (served by dnsmasq).
public struct DHCP: Sendable, Hashable, Codable {
    /// The pool, written `first-last`, e.g. `192.168.0.1-192.168.0.127`.
    public var range: String?
    public var nameservers: [String]?
    public var gateway: String?

    public init(range: String? = nil, nameservers: [String]? = nil, gateway: String? = nil) {
        self.range = range
        self.nameservers = nameservers
        self.gateway = gateway
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case range, nameservers, gateway
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        range = try container.decodeIfPresent(String.self, forKey: .range)
        nameservers = try container.decodeIfPresent([String].self, forKey: .nameservers)
        gateway = try container.decodeIfPresent(String.self, forKey: .gateway)
    }
}
