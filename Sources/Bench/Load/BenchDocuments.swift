import Foundation
import SeedExamples

/// The seed's example (`shared/seed/ex_launching_vm.md`) as the benchmark sends and places it.
///
/// One change from the seed: the `n0stack/scheduling/host_id` annotation is dropped, so the
/// scheduler spreads specs over every simulated host instead of piling them on the one host the
/// seed pins. `same_host` stays, so each spec still lands whole on one host. Every `POST` of the
/// same document makes new resources: the API assigns new ids to every object of each spec.
public enum BenchDocuments {
    /// The annotation dropped from the seed's documents.
    static let hostPin = "  n0stack/scheduling/host_id: 85cf3a3a-18e4-4fe2-b406-9e79079cae07\n"

    /// Seed 1.1, what a user POSTs to `/api/spec/`, without the host pin.
    public static let seedSpec = SeedDocuments.submittedSpec.replacingOccurrences(of: hostPin, with: "")

    /// Seed 3, the `Spec` message the scheduler receives for it, without the host pin.
    public static let seedSpecMessage = SeedDocuments.specMessage.replacingOccurrences(of: hostPin, with: "")
}
