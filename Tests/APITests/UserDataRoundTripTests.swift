import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Store
import Testing
import TestSupport

@testable import API

/// `user_data` through the API, as `vnc_password` goes: echoed only by the request that set it,
/// masked in every other answer, kept when a read version is sent back with the mask; and a
/// bad value is a 422 naming the field that stores nothing.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct UserDataRoundTripTests {
    static let secret = "#!/bin/sh\necho n0-user-data-secret\n"
    static let document = SeedDocuments.submittedSpec.replacingOccurrences(
        of: "    vnc_password: hogehoge\n",
        with: "    vnc_password: hogehoge\n    hostname: web-1\n    user_data: \"#!/bin/sh\\necho n0-user-data-secret\\n\"\n")

    @Test func userDataShowsOnlyWhereItWasSetAndAReadVersionKeepsIt() async throws {
        try await APIHarness.run { api in
            let created = try await RoundTripTests.create(api, Self.document)
            #expect(created.spec["web"]?.userData == Self.secret, "POST set it")
            #expect(created.spec["web"]?.hostname == "web-1")

            let read = try await api.send(.get, "/api/spec/\(created.id)/versions/0", accept: "application/yaml")
            let text = String(buffer: read.body)
            #expect(!text.contains("n0-user-data-secret") && text.contains("user_data: '********'"), "\(text)")
            let put = try await api.send(.put, "/api/spec/\(created.id)", body: text, accept: "application/json")
            #expect(put.status == .ok, "\(String(buffer: put.body))")
            #expect(!String(buffer: put.body).contains("n0-user-data-secret"), "this PUT did not set it")

            let vmID = try #require(created.spec["web"]?.id)
            let node = try #require(try await api.store.node(vmID.uuid))
            #expect(try MessageCodec.decode(Object.self, from: node.object, format: .json).userData == Self.secret,
                    "the mask was not stored as the user-data")
            for path in ["/api/spec/\(created.id)", "/api/graph?spec_id=\(created.id)", "/api/objects/\(vmID)"] {
                let body = String(buffer: try await api.send(.get, path, accept: "application/json").body)
                #expect(!body.contains("n0-user-data-secret"), "GET \(path)")
            }
        }
    }

    @Test func aBadFieldIsRefusedNamingItAndNothingIsStored() async throws {
        try await APIHarness.run { api in
            let before = try await IntegrationEnvironment.count("specs", in: api.store)
            let bad = Self.document.replacingOccurrences(of: "hostname: web-1", with: "hostname: web_1")
            let response = try await api.send(.post, "/api/spec", body: bad, accept: "application/json")
            #expect(response.status == .unprocessableContent)
            let body = String(buffer: response.body)
            #expect(body.contains("spec.web.hostname") && !body.contains("n0-user-data-secret"), "\(body)")
            #expect(try await IntegrationEnvironment.count("specs", in: api.store) == before)
        }
    }
}
