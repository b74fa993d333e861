/// What the seed's flow (design §3) cannot do without, after the API has accepted the spec:
/// the broker hops and database commits on its critical path. Their sum at the measured floor
/// is the latency a perfect implementation on this broker and this database would have.
///
/// The seed's critical path, once `POST` has answered:
/// 1. `Spec` API → scheduler (broker hop 1);
/// 2. the scheduler records `SCHEDULED` and the claims (commit 1);
/// 3. `Request` scheduler → the porter, for the network (broker hop 2);
/// 4. the network's `Notify` → the agent of its dependent, the NIC (the same porter; hop 3);
/// 5. the NIC's `Notify`, which carries its network with the `bridge`, → the compute agent,
///    whose VM waits for it (hop 4); the volume's `Notify` travels in parallel;
/// 6. the VM's `Notify` → conductor (hop 5);
/// 7. the conductor records the last object and the version `APPLIED` (commit 2).
///
/// The API's own commit is before the `POST` answer, so outside the measured latency. What the
/// implementation adds on top (outbox relays picking rows up, messages published one after
/// another each waiting for its confirm, reads inside transactions) is what the ratio to this
/// floor shows, and what the hop breakdown of a run locates.
public struct PipelineHops: Codable, Sendable, Hashable {
    public var brokerHops: Int
    public var commits: Int

    public init(brokerHops: Int = 5, commits: Int = 2) {
        self.brokerHops = brokerHops
        self.commits = commits
    }

    /// The floor: `brokerHops × brokerRoundTrip + commits × commit` (milliseconds).
    public func floor(brokerRoundTrip: Double, commit: Double) -> Double {
        Double(brokerHops) * brokerRoundTrip + Double(commits) * commit
    }

    /// `5 × broker round trip + 2 × commit`.
    public var formula: String {
        "\(brokerHops) × broker round trip + \(commits) × commit"
    }
}
