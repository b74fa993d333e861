import Foundation
import Hummingbird
import HummingbirdTesting
import Messages
import Testing
import TestSupport

@testable import API

/// Answers the OpenAPI document promises beyond each route's own: 405 with `Allow` for a method a
/// path does not take, the `WWW-Authenticate` challenge on 401, and a graph query that names
/// exactly one selector.
@Suite(.serialized, .enabled(if: IntegrationEnvironment.hasBrokerAndDatabase))
struct HTTPContractTests {
    @Test func aMethodAPathDoesNotTakeIs405WithAllow() async throws {
        try await APIHarness.run { api in
            for (method, uri, allowed) in [(HTTPRequest.Method.delete, "/api/spec", "GET, POST"), (.patch, "/api/spec/1", "DELETE, GET, PUT"),
                                           (.post, "/api/graph", "GET"), (.delete, "/api/openapi.yaml", "GET"),
                                           (.options, "/api/objects/56410722-d507-472a-a800-c89211b7c261", "GET"),
                                           (.put, "/api/spec/", "GET, POST")] {
                let response = try await api.send(method, uri, accept: "application/json")
                #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(response.headers[.allow] == allowed, "\(method) \(uri)")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(String(buffer: response.body).contains("it takes \(allowed)"), "\(String(buffer: response.body))")
            }
            // A path nothing serves is still 404.
            let unknown = try await api.send(.get, "/api/nothing")
            #expect(unknown.status == .notFound)
            #expect(unknown.headers[.allow] == nil)
        }
    }

    @Test func unauthorizedAnswersCarryTheBearerChallenge() async throws {
        try await APIHarness.run { api in
            for token in [nil, "wrong"] {
                let response = try await api.send(.get, "/api/spec/1", token: token)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"n0core\"")
            }
        }
    }

    @Test func theGraphTakesExactlyOneSelector() async throws {
        try await APIHarness.run { api in
            let object = "56410722-d507-472a-a800-c89211b7c261"
            for (query, message) in [("spec_id=1&object_id=\(object)", "give spec_id or object_id, not both"),
                                     ("spec_id=1&depth=2", "depth applies to object_id, not to spec_id"),
                                     ("depth=2", "depth applies to object_id"),
                                     ("spec_id=1&limit=5", "limit and cursor page the whole graph"),
                                     ("limit=501", "limit must be a whole number from 1 to 500"),
                                     ("cursor=s1", "cursor is not one this route gave"),
                                     ("object_id=\(object)&depth=17", "depth must be a whole number from 0 to 16"),
                                     ("spec_id=0", "spec_id must be a positive whole number")] {
                let response = try await api.send(.get, "/api/graph?\(query)", accept: "application/json")
                #expect(response.status == .badRequest, "\(query)")
                #expect(String(buffer: response.body).contains(message), "\(query): \(String(buffer: response.body))")
            }
            #expect(try await api.send(.get, "/api/graph?object_id=\(object)&depth=0").status == .notFound)
            #expect(try await api.send(.get, "/api/graph?spec_id=9223372036854775807").status == .notFound)
        }
    }

    @Test func graphQueriesReadEachSelector() throws {
        let object = try #require(ObjectID("56410722-d507-472a-a800-c89211b7c261"))
        #expect(try GraphQuery(specID: "3", objectID: nil, depth: nil, maxDepth: 16) == .spec(3))
        #expect(try GraphQuery(specID: nil, objectID: "56410722-d507-472a-a800-c89211b7c261", depth: nil, maxDepth: 16)
            == .object(object, depth: 1))
        #expect(try GraphQuery(specID: nil, objectID: "56410722-D507-472A-A800-C89211B7C261", depth: "16", maxDepth: 16)
            == .object(object, depth: 16))
        #expect(throws: APIError.self) { try GraphQuery(specID: nil, objectID: "x", depth: nil, maxDepth: 16) }
        #expect(throws: APIError.self) { try GraphQuery(specID: "1", objectID: nil, depth: "1", maxDepth: 16) }
        let whole = try GraphQuery(specID: nil, objectID: nil, depth: nil, maxDepth: 16)
        #expect(whole == .all(try PageRequest(limit: nil, cursor: nil, kind: .node)))
        let page = try PageRequest(limit: "7", cursor: "n56410722d507472aa800c89211b7c261", kind: .node)
        #expect(page.limit == 7)
        #expect(page.uuid == object.uuid)
        #expect(page.next(count: 7, lastID: object.uuid) == "n56410722d507472aa800c89211b7c261")
        #expect(page.next(count: 6, lastID: object.uuid) == nil)
    }
}
