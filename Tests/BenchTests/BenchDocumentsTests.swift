import Bench
import Messages
import Testing

/// The benchmark sends the seed's example with one change: no host pin.
@Suite struct BenchDocumentsTests {
    @Test func theSeedWithoutItsHostPin() throws {
        #expect(!BenchDocuments.seedSpec.contains("host_id"))
        #expect(BenchDocuments.seedSpec.contains("n0stack/scheduling/same_host: true"))
        let message = try MessageCodec.decode(SpecMessage.self, from: BenchDocuments.seedSpecMessage, format: .yaml)
        #expect(message.spec.count == 4)
        #expect(!BenchDocuments.seedSpecMessage.contains("n0stack/scheduling/host_id"))
    }
}
