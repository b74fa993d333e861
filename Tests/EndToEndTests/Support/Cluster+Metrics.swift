import TestSupport
import Testing

extension Cluster {
    /// What `executable` (`n0core-api`, `n0core-compute-kvm` …) serves at `/metrics` now: the
    /// API on its own port, the others on `health.listen` (the agents' inside the namespace).
    func metrics(of executable: String) throws -> PrometheusSamples {
        let endpoint = try #require(metricsEndpoints[executable], "no /metrics for \(executable)")
        let response = try HTTP.get(endpoint.url, namespace: endpoint.namespace)
        try #require(response.status == 200, "\(endpoint.url) answered \(response.status)")
        return PrometheusSamples(response.body)
    }
}
