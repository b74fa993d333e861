import Foundation
import NIOHTTP1

/// What `apply` and `plan` send: a new spec (`POST /api/spec`) unless `--spec ID` or the
/// document's `id` names an existing one; then `PUT /api/spec/{id}` with the document's
/// `version` set to the spec's latest, so the document replaces whatever is stored now.
struct SpecSubmission: Sendable {
    var document: SpecDocumentFile
    /// The spec to replace; nil to create one.
    var target: Int64?

    init(path: String, specFlag: Int64?, environment: CommandEnvironment) throws {
        guard let data = try environment.readFile(path) else {
            throw CLIFailure(.usage, "the file \(path) does not exist")
        }
        document = try SpecDocumentFile(path: path, data: data)
        if let specFlag, let id = document.specID, specFlag != id {
            throw CLIFailure(.usage, "--spec \(specFlag) and the document's id \(id) name different specs")
        }
        target = specFlag ?? document.specID
    }

    /// The request's path and body, after learning the latest version of the spec it replaces.
    func prepare(with client: APIClient) async throws -> (method: HTTPMethod, path: String, body: APIClient.Body) {
        guard let target else {
            return (.POST, "/api/spec", APIClient.Body(document.data, contentType: document.format.contentType))
        }
        let latest = try await client.send(.GET, "/api/spec/\(target)").decode(StoredVersion.self)
        let body = try document.replacingVersion(with: latest.version)
        return (.PUT, "/api/spec/\(target)", APIClient.Body(body, contentType: document.format.contentType))
    }
}
