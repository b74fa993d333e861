import Hummingbird
import ServiceSupport

extension HealthRoutes {
    /// Mounts `/healthz`, `/readyz` and `/metrics` on the API's router.
    func add<Context: RequestContext>(to router: Router<Context>) {
        for path in Self.paths {
            router.get(RouterPath(path)) { _, _ -> Hummingbird.Response in
                guard let answer = await respond(to: path) else { return Hummingbird.Response(status: .notFound) }
                return Hummingbird.Response(
                    status: .init(code: answer.status),
                    headers: [.contentType: answer.contentType],
                    body: .init(byteBuffer: ByteBuffer(bytes: answer.body))
                )
            }
        }
    }
}
