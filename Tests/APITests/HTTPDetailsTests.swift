import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Testing
import TestSupport

@testable import API

/// The answers that tell a newcomer what to do: the `Bearer` scheme in any case, content types
/// named when they are wrong, the body limit and its key, and 404 for what does not exist on
/// every route.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct HTTPDetailsTests {
    @Test func theBearerSchemeIsCaseInsensitiveAndAnotherSchemeIsNamed() async throws {
        try await APIHarness.run { api in
            for scheme in ["bearer", "BEARER", "Bearer"] {
                let response = try await api.client.execute(uri: "/api/openapi.yaml", method: .get,
                                                            headers: [.authorization: "\(scheme) \(APIHarness.token)"])
                #expect(response.status == .ok, "\(scheme)")
            }
            let basic = try await api.client.execute(uri: "/api/openapi.yaml", method: .get,
                                                      headers: [.authorization: "Basic dXNlcjpwYXNz", .accept: "application/json"])
            #expect(basic.status == .unauthorized)
            #expect(String(buffer: basic.body).contains("the scheme 'Basic'"), "\(String(buffer: basic.body))")
        }
    }

    @Test func onlyYAMLAndJSONBodiesAreReadAndAMislabelledOneIsNamed() async throws {
        try await APIHarness.run { api in
            let plain = try await api.send(.post, "/api/spec", body: SeedDocuments.submittedSpec, contentType: "text/plain",
                                           accept: "application/json")
            #expect(plain.status == .unsupportedMediaType)
            #expect(String(buffer: plain.body).contains("Content-Type 'text/plain' is not a document type this API reads"))
            let form = try await api.send(.put, "/api/spec/1", body: SeedDocuments.submittedSpec,
                                          contentType: "application/x-www-form-urlencoded", accept: "application/json")
            #expect(form.status == .unsupportedMediaType)
            #expect(String(buffer: form.body).contains("-H 'Content-Type: application/yaml'"))

            let mislabelled = try await api.send(.post, "/api/spec", body: SeedDocuments.submittedSpec,
                                                 contentType: "application/json", accept: "application/json")
            #expect(mislabelled.status == .badRequest)
            #expect(String(buffer: mislabelled.body).contains("send it with `Content-Type: application/yaml`"),
                    "\(String(buffer: mislabelled.body))")
            let brokenJSON = try await api.send(.post, "/api/spec", body: "{\"spec\": ", contentType: "application/json",
                                                accept: "application/json")
            #expect(brokenJSON.status == .badRequest)
            #expect(!String(buffer: brokenJSON.body).contains("application/yaml"), "JSON with a typo is not called YAML")
            #expect(try await IntegrationEnvironment.count("specs", in: api.store) == 0)
        }
    }

    @Test func tooLargeNamesTheLimitAndItsKey() async throws {
        try await APIHarness.run(maxBodyBytes: 1024) { api in
            let response = try await api.send(.post, "/api/spec", body: String(repeating: "# padding\n", count: 200)
                + SeedDocuments.submittedSpec, accept: "application/json")
            #expect(response.status == .contentTooLarge)
            let body = String(buffer: response.body)
            #expect(body.contains("larger than 1024 bytes") && body.contains("api.max_body_bytes"), "\(body)")
        }
    }

    @Test func whatDoesNotExistIs404OnEveryRoute() async throws {
        try await APIHarness.run { api in
            let unknown = UUID().uuidString.lowercased()
            for path in ["/api/graph?object_id=\(unknown)", "/api/graph?spec_id=999999", "/api/objects/\(unknown)",
                         "/api/spec/999999", "/api/spec/999999/versions/0"] {
                let response = try await api.send(.get, path, accept: "application/json")
                #expect(response.status == .notFound, "\(path): \(String(buffer: response.body))")
            }
            #expect(try await api.send(.delete, "/api/spec/999999").status == .notFound)
            #expect(try await api.send(.put, "/api/spec/999999", body: SeedDocuments.submittedSpec).status == .notFound)
        }
    }
}
