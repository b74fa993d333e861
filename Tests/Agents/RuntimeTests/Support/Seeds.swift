import Messages
import TestSupport

/// The seed's messages (section 5), decoded.
enum Seeds {
    static func request(_ yaml: String) throws -> RequestMessage {
        try MessageCodec.decode(RequestMessage.self, from: yaml, format: .yaml)
    }

    static func notify(_ yaml: String) throws -> NotifyMessage {
        try MessageCodec.decode(NotifyMessage.self, from: yaml, format: .yaml)
    }

    static var requestVM: RequestMessage { get throws { try request(SeedDocuments.requestVM) } }
    static var requestVolume: RequestMessage { get throws { try request(SeedDocuments.requestVolume) } }
    static var requestNIC: RequestMessage { get throws { try request(SeedDocuments.requestNIC) } }
    static var requestNetwork: RequestMessage { get throws { try request(SeedDocuments.requestNetwork) } }
    static var notifyVolume: NotifyMessage { get throws { try notify(SeedDocuments.notifyVolume) } }
    static var notifyNetwork: NotifyMessage { get throws { try notify(SeedDocuments.notifyNetwork) } }
    static var notifyNIC: NotifyMessage { get throws { try notify(SeedDocuments.notifyNIC) } }
    static var notifyVM: NotifyMessage { get throws { try notify(SeedDocuments.notifyVM) } }

    static let vmID = ObjectID("56410722-d507-472a-a800-c89211b7c261")!
    static let nicID = ObjectID("a1f6a79b-7ad0-499e-b912-44eb73ea0f81")!
    static let volumeID = ObjectID("d99163ed-0093-40a0-a61b-365a1aece509")!
    static let networkID = ObjectID("8451da31-5e3a-4c46-aa3a-2a557382a6cd")!
    static let volumerAgentID = ObjectID("264b01b8-aeb5-478a-ad11-715fbc86d2f6")!
    static let porterAgentID = ObjectID("a0c819fa-9dc2-4666-b7fd-d235a2551119")!
    static let computeAgentID = ObjectID("2463f81d-20d8-4395-a3c4-84a271a5b3a7")!
}
